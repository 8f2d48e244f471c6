import { goOperand } from '../config/expr';
import { AUTH_SECRET, FULLNAME, NAMESPACE } from '../components/shared/naming';
import { DEFAULT_CLIENT_LABELS } from '../components/network-policies/peers';

/** templates/NOTES.txt: how to connect and where the passwords are. */
export function notesTemplate(): string {
  const fullname = `{{ ${goOperand(FULLNAME)} }}`;
  const ns = `{{ ${goOperand(NAMESPACE)} }}`;
  const secret = `{{ ${goOperand(AUTH_SECRET)} }}`;
  const [clientKey, clientValue] = Object.entries(DEFAULT_CLIENT_LABELS)[0];
  const scheme = '{{ if .Values.tls.enabled }}rediss{{ else }}redis{{ end }}';
  return `session-database {{ .Chart.Version }} (Redis {{ .Chart.AppVersion }}) is installed as ${fullname} in ${ns}.

{{- if eq .Values.redis.mode "sentinel" }}

Clients discover the master through the Sentinels (never a fixed host):
  sentinels:   ${scheme}://${fullname}-sentinel.${ns}.svc.{{ .Values.clusterDomain }}:26379
  master name: {{ .Values.redis.masterName }}
{{- else }}

Clients connect to:
  ${scheme}://${fullname}-redis.${ns}.svc.{{ .Values.clusterDomain }}:6379
{{- end }}
{{- if .Values.tls.enabled }}
  TLS is on (rediss://): clients verify the servers with ca.crt of the Secret ${fullname}-client-tls.
{{- end }}
  sessions DB: {{ .Values.redis.databases.sessions }}, cache DB: {{ .Values.redis.databases.cache }}, key prefix: {{ .Values.sessions.keyPrefix }}

{{- if .Values.networkPolicy.enabled }}
{{- $clients := .Values.networkPolicy.clients }}

NetworkPolicies admit only client pods that
{{- if and (empty $clients.podSelector) (empty $clients.namespaceSelector) }} carry the label ${clientKey}=${clientValue} in ${ns}:
  kubectl label pod <pod> -n ${ns} ${clientKey}=${clientValue}   (better: in the pod template)
{{- else }}
{{- if $clients.podSelector }} carry the labels {{ $clients.podSelector | toJson }}{{ end }}
{{- if $clients.podSelector }} and{{ end }}
{{- if $clients.namespaceSelector }} run in namespaces labelled {{ $clients.namespaceSelector | toJson }}{{ else }} run in ${ns}{{ end }}
{{- end }}
{{- end }}

Passwords are in the Secret ${secret} (one key per ACL user):
  kubectl get secret -n ${ns} ${secret} -o jsonpath='{.data.app-password}' | base64 -d
`;
}
