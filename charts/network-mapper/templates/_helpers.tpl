{{/*
The chart's name, or nameOverride.
*/}}
{{- define "network-mapper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object's name: fullnameOverride, else the release name with the chart's
name appended unless the release name already contains it. 52 characters leave room for the
longest suffix ("-leader-election").
*/}}
{{- define "network-mapper.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "network-mapper.operator.fullname" -}}
{{- printf "%s-operator" (include "network-mapper.fullname" .) }}
{{- end }}

{{- define "network-mapper.sniffer.fullname" -}}
{{- printf "%s-sniffer" (include "network-mapper.fullname" .) }}
{{- end }}

{{/*
Labels of every object. Call with the root context; components add app.kubernetes.io/component.
*/}}
{{- define "network-mapper.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "network-mapper.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: network-mapper
{{- end }}

{{/*
The labels selectors match (never changed by an upgrade).
*/}}
{{- define "network-mapper.selectorLabels" -}}
app.kubernetes.io/name: {{ include "network-mapper.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "network-mapper.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (include "network-mapper.operator.fullname" .) .Values.operator.serviceAccount.name }}
{{- else }}
{{- required "operator.serviceAccount.name must name an existing ServiceAccount when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "network-mapper.sniffer.serviceAccountName" -}}
{{- if .Values.sniffer.serviceAccount.create }}
{{- default (include "network-mapper.sniffer.fullname" .) .Values.sniffer.serviceAccount.name }}
{{- else }}
{{- required "sniffer.serviceAccount.name must name an existing ServiceAccount when sniffer.serviceAccount.create is false" .Values.sniffer.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference of both components: repository:tag, the tag defaulting to appVersion.
*/}}
{{- define "network-mapper.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
A number as an environment variable's value. Helm reads YAML numbers as floats, and `quote`
would print 4194304 as "4.194304e+06"; JSON prints it as written.
*/}}
{{- define "network-mapper.number" -}}
{{- toJson . | quote }}
{{- end }}

{{/*
The pod spec parts both components share, from one component's values.
*/}}
{{- define "network-mapper.podScheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "network-mapper.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
