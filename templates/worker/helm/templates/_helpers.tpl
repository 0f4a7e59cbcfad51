{{/* Names and labels shared by every object of the chart. */}}

{{/* Chart name, or nameOverride; a DNS label, so at most 63 characters. */}}
{{- define "jobnik-worker.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: fullnameOverride, or <release>-<chart> (just <release> when it already contains the
chart name). At most 63 characters, because Kubernetes names and label values are limited to that.
*/}}
{{- define "jobnik-worker.fullname" -}}
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
{{- define "jobnik-worker.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels (immutable once a Deployment exists). */}}
{{- define "jobnik-worker.selectorLabels" -}}
app.kubernetes.io/name: {{ include "jobnik-worker.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: worker
{{- end }}

{{/* Every object's labels. */}}
{{- define "jobnik-worker.labels" -}}
helm.sh/chart: {{ include "jobnik-worker.chart" . }}
{{ include "jobnik-worker.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: jobnik
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The worker image; the tag defaults to the chart's appVersion. */}}
{{- define "jobnik-worker.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
PromQL selector of this worker's queues in the manager's jobnik_queue_depth gauge (labels tenant, stage_type,
status). Stage types may contain dots: escaped for the regex, and the backslash doubled for the PromQL string.
*/}}
{{- define "jobnik-worker.queueDepthQuery" -}}
{{- $types := list }}
{{- range .Values.worker.stageTypes }}
{{- $types = append $types (replace "." "\\\\." .) }}
{{- end }}
{{- $matchers := list (printf "stage_type=~\"%s\"" (join "|" $types)) (printf "status=~\"%s\"" (join "|" .Values.keda.statuses)) }}
{{- with .Values.keda.tenant }}
{{- $matchers = append $matchers (printf "tenant=\"%s\"" .) }}
{{- end }}
{{- printf "sum(jobnik_queue_depth{%s})" (join "," $matchers) }}
{{- end }}
