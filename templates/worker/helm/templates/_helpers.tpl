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

{{/*
The worker image: [global.imageRegistry/]repository, then @digest when one is given, else :tag (default: the
chart's appVersion).
*/}}
{{- define "jobnik-worker.image" -}}
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

{{/* imagePullSecrets, with a parent chart's global.imagePullSecrets. */}}
{{- define "jobnik-worker.imagePullSecrets" -}}
{{- with concat (.Values.imagePullSecrets | default list) (.Values.global.imagePullSecrets | default list) }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The pods' ServiceAccount: the one the chart creates, or an existing one; empty = the namespace's default. */}}
{{- define "jobnik-worker.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "jobnik-worker.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Cross-field rules JSON Schema cannot express (it cannot compare two values): rendering fails with the values named.
*/}}
{{- define "jobnik-worker.validate" -}}
{{- $a := .Values.autoscaling }}
{{- if and $a.enabled (not .Values.keda.enabled) (gt (int64 $a.minReplicas) (int64 $a.maxReplicas)) }}
{{- fail (printf "autoscaling.minReplicas (%d) must not be greater than autoscaling.maxReplicas (%d)" (int64 $a.minReplicas) (int64 $a.maxReplicas)) }}
{{- end }}
{{- $k := .Values.keda }}
{{- if $k.enabled }}
{{- if gt (int64 $k.minReplicaCount) (int64 $k.maxReplicaCount) }}
{{- fail (printf "keda.minReplicaCount (%d) must not be greater than keda.maxReplicaCount (%d)" (int64 $k.minReplicaCount) (int64 $k.maxReplicaCount)) }}
{{- end }}
{{- if and $k.fallback (gt (int64 $k.fallback.replicas) (int64 $k.maxReplicaCount)) }}
{{- fail (printf "keda.fallback.replicas (%d) must not be greater than keda.maxReplicaCount (%d)" (int64 $k.fallback.replicas) (int64 $k.maxReplicaCount)) }}
{{- end }}
{{- if and $k.authenticationRef.name (not $k.authModes) }}
{{- fail "keda.authModes: say how the scaler uses keda.authenticationRef (bearer, basic, tls or custom)" }}
{{- end }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- fail "podDisruptionBudget: set either minAvailable or maxUnavailable, not both" }}
{{- end }}
{{- end }}

{{/*
The labels that pick this install's manager in Prometheus: keda.managerMetricLabels, else namespace and service
from manager.url as the Prometheus Operator labels a ServiceMonitor's series (http://<service>.<namespace>.svc…,
or http://<service> in the release namespace). Any other host cannot be read that way: set the labels.
*/}}
{{- define "jobnik-worker.managerMetricLabels" -}}
{{- if .Values.keda.managerMetricLabels }}
{{- toJson .Values.keda.managerMetricLabels }}
{{- else }}
{{- $host := (urlParse .Values.manager.url).hostname }}
{{- $parts := splitList "." $host }}
{{- if eq (len $parts) 1 }}
{{- toJson (dict "namespace" .Release.Namespace "service" $host) }}
{{- else if or (eq (len $parts) 2) (eq (index $parts 2) "svc") }}
{{- toJson (dict "namespace" (index $parts 1) "service" (index $parts 0)) }}
{{- else }}
{{- fail (printf "keda.managerMetricLabels: cannot tell the manager's Service and namespace from manager.url (%s); set the labels its series carry in Prometheus, e.g. { namespace: jobs, service: jobnik-manager }" .Values.manager.url) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
PromQL of this worker's queue depth. Every manager replica exports the same database-wide jobnik_queue_depth, so
the series are first reduced to one per queue and status (max by) and only then summed: the value is the number
of tasks whatever the number of replicas. The install's labels keep other installs sharing the Prometheus out.
A manager may leave idle queues out of the scrape (metrics.idleQueues false): no series of the worker's stage
types then means no work, and the query reads 0 while a replica of the install says it read the depths
(jobnik_queue_depth_up 1). No `or vector(0)`: when no replica is scraped, or none could read its database, the
result must stay empty, which KEDA (ignoreNullValues false) treats as an error, so the fallback applies. Stage
types may contain dots: escaped for the regex, the backslash doubled for the PromQL string.
*/}}
{{- define "jobnik-worker.queueDepthQuery" -}}
{{- $matchers := list }}
{{- range $label, $value := include "jobnik-worker.managerMetricLabels" . | fromJson }}
{{- $matchers = append $matchers (printf "%s=\"%s\"" $label $value) }}
{{- end }}
{{- $install := join "," $matchers }}
{{- $types := list }}
{{- range .Values.worker.stageTypes }}
{{- $types = append $types (replace "." "\\\\." .) }}
{{- end }}
{{- $matchers = append $matchers (printf "stage_type=~\"%s\"" (join "|" $types)) }}
{{- $matchers = append $matchers (printf "status=~\"%s\"" (join "|" .Values.keda.statuses)) }}
{{- with .Values.keda.tenant }}
{{- $matchers = append $matchers (printf "tenant=\"%s\"" .) }}
{{- end }}
{{- printf "sum(max by (tenant, stage_type, status) (jobnik_queue_depth{%s})) or 0 * max(jobnik_queue_depth_up{%s} == 1)" (join "," $matchers) $install }}
{{- end }}
