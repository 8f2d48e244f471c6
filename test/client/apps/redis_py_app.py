"""A Python app configured only from the client contract (the ConfigMap's env, the passwords from the
Secret, the CA file from the client CA Secret): writes a session with the contract's TTL and a cache
entry, reads both back, prints what it saw as JSON. Usage: python redis_py_app.py url|sentinel <id>"""
import json
import os
import sys

import redis
from redis.sentinel import Sentinel

e = os.environ
mode, session_id = sys.argv[1], sys.argv[2]
tls = e["REDIS_TLS"] == "true"
ssl = {"ssl_ca_certs": e["REDIS_TLS_CA_FILE"], "ssl_cert_reqs": "required", "ssl_check_hostname": True} if tls else {}
timeouts = {"socket_timeout": 3, "socket_connect_timeout": 3}

if mode == "url":
    sessions = redis.Redis.from_url(e["REDIS_URL"], password=e["REDIS_PASSWORD"], **ssl, **timeouts)
    cache = redis.Redis.from_url(e["REDIS_CACHE_URL"], password=e["REDIS_CACHE_PASSWORD"], **ssl, **timeouts)
else:
    hosts = [(h.rsplit(":", 1)[0], int(h.rsplit(":", 1)[1])) for h in e["REDIS_SENTINELS"].split(",")]
    sentinel_auth = {"username": e["REDIS_SENTINEL_USERNAME"], "password": e["REDIS_SENTINEL_PASSWORD"], "ssl": tls, **ssl, **timeouts}
    sentinel = Sentinel(hosts, sentinel_kwargs=sentinel_auth, ssl=tls, **ssl, **timeouts)
    sessions = sentinel.master_for(e["REDIS_MASTER_NAME"], username=e["REDIS_USERNAME"], password=e["REDIS_PASSWORD"], db=int(e["REDIS_DB"]))
    cache = sentinel.master_for(e["REDIS_MASTER_NAME"], username=e["REDIS_CACHE_USERNAME"], password=e["REDIS_CACHE_PASSWORD"], db=int(e["REDIS_CACHE_DB"]))

key = e["REDIS_KEY_PREFIX"] + session_id
sessions.set(key, json.dumps({"user": "u-1", "client": "redis-py", "mode": mode}), ex=int(e["SESSION_TTL_SECONDS"]))
cache_key = e["REDIS_CACHE_KEY_PREFIX"] + session_id
cache.set(cache_key, "cached", ex=int(e["CACHE_DEFAULT_TTL_SECONDS"]))
print(json.dumps({
    "key": key,
    "read": sessions.get(key).decode(),
    "ttl": sessions.ttl(key),
    "role": sessions.execute_command("ROLE")[0].decode(),
    "cacheKey": cache_key,
    "cacheRead": cache.get(cache_key).decode(),
    "cacheTtl": cache.ttl(cache_key),
}))
