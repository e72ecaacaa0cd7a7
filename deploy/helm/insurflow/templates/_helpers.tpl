{{/* The release's name prefix, at most 63 characters with the longest suffix ("-worker-<name>") left to the caller. */}}
{{- define "insurflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "insurflow.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "insurflow.labels" -}}
{{ include "insurflow.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "insurflow.image" -}}
{{- $tag := .tag | default .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- printf "%s:%s" .root.Values.image.repository $tag -}}
{{- end -}}

{{- define "insurflow.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-env" (include "insurflow.fullname" .)) -}}
{{- end -}}

{{- define "insurflow.migrationsSecretName" -}}
{{- .Values.migrations.existingSecret | default (printf "%s-migrations" (include "insurflow.fullname" .)) -}}
{{- end -}}

{{/* The ConfigMap and the Secret as environment; a pod restarts when the chart changes either (checksum annotations). */}}
{{- define "insurflow.envFrom" -}}
- configMapRef:
    name: {{ include "insurflow.fullname" . }}-config
- secretRef:
    name: {{ include "insurflow.secretName" . }}
{{- end -}}

{{- define "insurflow.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}

{{/* Pod-level settings every pod shares: non-root, the image pull secrets and the scheduling constraints. */}}
{{- define "insurflow.podCommon" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
automountServiceAccountToken: false
{{- end -}}

{{/* The root filesystem is read-only: Node and the libraries it loads may still write temporary files, so /tmp is a writable emptyDir. */}}
{{- define "insurflow.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "insurflow.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* Extra environment variables from a map, in a stable order. */}}
{{- define "insurflow.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
