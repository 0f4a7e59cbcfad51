{{/* Names and labels shared by every object of the chart. */}}

{{/* Chart name, or nameOverride; a DNS label, so at most 63 characters. */}}
{{- define "jobnik-manager.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: fullnameOverride, or <release>-<chart> (just <release> when it already contains the
chart name). At most 63 characters, because Kubernetes names and label values are limited to that.
*/}}
{{- define "jobnik-manager.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, as the helm.sh/chart label wants it. */}}
{{- define "jobnik-manager.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels (immutable once a Deployment exists). Called with (dict "root" $ "component" "server"): the
component keeps the migration Job's pods out of the Service and the Deployment's selector.
*/}}
{{- define "jobnik-manager.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jobnik-manager.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Every object's labels; same argument as selectorLabels. */}}
{{- define "jobnik-manager.labels" -}}
helm.sh/chart: {{ include "jobnik-manager.chart" .root }}
{{ include "jobnik-manager.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: jobnik
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The manager image: [global.imageRegistry/]repository, then @digest when one is given, else :tag (default: the
chart's appVersion).
*/}}
{{- define "jobnik-manager.image" -}}
{{- $repository := .Values.image.repository }}
{{- with .Values.global.imageRegistry }}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $repository }}
{{- end }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/*
Cross-field rules JSON Schema cannot express (it cannot compare two values): rendering fails with the values named.
*/}}
{{- define "jobnik-manager.validate" -}}
{{- $a := .Values.autoscaling }}
{{- if and $a.enabled (gt (int64 $a.minReplicas) (int64 $a.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) must not be greater than autoscaling.maxReplicas (%d)" (int64 $a.minReplicas) (int64 $a.maxReplicas)) }}
{{- end }}
{{- if and .Values.metrics.separatePort (eq (int64 .Values.metrics.port) (int64 .Values.containerPort)) }}
{{- fail (printf "metrics.port (%d) must differ from containerPort: /metrics gets a listener of its own" (int64 .Values.metrics.port)) }}
{{- end }}
{{- if and .Values.metrics.requireKey .Values.metrics.separatePort }}
{{- fail "metrics.requireKey applies to /metrics on the API port: set metrics.separatePort=false too (a separate port is kept private by the network instead)" }}
{{- end }}
{{- end }}

{{/* Name of the existing Secret holding the connection string and keys. */}}
{{- define "jobnik-manager.secretName" -}}
{{- required "secret.name: name an existing Secret with the PostgreSQL connection string (see values.yaml)" .Values.secret.name }}
{{- end }}

{{/* DATABASE_URL from the existing Secret: all the migration Job needs. */}}
{{- define "jobnik-manager.databaseUrlEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "jobnik-manager.secretName" . }}
      key: {{ required "secret.databaseUrlKey: the key of the connection string in the Secret" .Values.secret.databaseUrlKey }}
{{- end }}

{{/* The sensitive settings, each read from the existing Secret (never rendered into the ConfigMap). */}}
{{- define "jobnik-manager.secretEnv" -}}
{{ include "jobnik-manager.databaseUrlEnv" . }}
{{- if .Values.secret.adminApiKeyKey }}
- name: JOBNIK_ADMIN_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "jobnik-manager.secretName" . }}
      key: {{ .Values.secret.adminApiKeyKey }}
{{- end }}
{{- if .Values.secret.webhookSecretKey }}
- name: JOBNIK_WEBHOOK_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "jobnik-manager.secretName" . }}
      key: {{ .Values.secret.webhookSecretKey }}
{{- end }}
{{- end }}

{{/* Pod spec parts shared by the Deployment and the migration Job. */}}
{{- define "jobnik-manager.podCommon" -}}
automountServiceAccountToken: false
{{- with concat (.Values.imagePullSecrets | default list) (.Values.global.imagePullSecrets | default list) }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
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
{{- end }}
