import { goOperand } from '../config/expr';
import { AUTH_SECRET, FULLNAME, NAMESPACE } from '../components/shared/naming';

/** templates/NOTES.txt: how to connect and where the passwords are. */
export function notesTemplate(): string {
  const fullname = `{{ ${goOperand(FULLNAME)} }}`;
  const ns = `{{ ${goOperand(NAMESPACE)} }}`;
  const secret = `{{ ${goOperand(AUTH_SECRET)} }}`;
  return `session-database {{ .Chart.Version }} (Redis {{ .Chart.AppVersion }}) is installed as ${fullname} in ${ns}.

{{- if eq .Values.redis.mode "sentinel" }}

Clients discover the master through the Sentinels (never a fixed host):
  sentinels:   ${fullname}-sentinel.${ns}.svc.{{ .Values.clusterDomain }}:26379
  master name: {{ .Values.redis.masterName }}
{{- else }}

Clients connect to:
  redis://${fullname}-redis.${ns}.svc.{{ .Values.clusterDomain }}:6379
{{- end }}
  sessions DB: {{ .Values.redis.databases.sessions }}, cache DB: {{ .Values.redis.databases.cache }}, key prefix: {{ .Values.sessions.keyPrefix }}

Passwords are in the Secret ${secret} (one key per ACL user):
  kubectl get secret -n ${ns} ${secret} -o jsonpath='{.data.{{ .Values.auth.existingSecretKeys.app }}}' | base64 -d
`;
}
