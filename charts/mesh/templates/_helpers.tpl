{{/*
The provider parts, in pipeline order. Every part is one Deployment and one Service.
*/}}
{{- define "mesh.parts" -}}
gateway render sign schedule dispatch
{{- end }}

{{- define "mesh.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Full name: <release>-<chart>, or <release> when the release name already contains the
chart name. Truncated so that "<fullname>-schedule" stays within 63 characters.
*/}}
{{- define "mesh.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mesh.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a part's Deployment and Service. Takes (dict "root" $ "part" "render"). */}}
{{- define "mesh.componentName" -}}
{{- printf "%s-%s" (include "mesh.fullname" .root) .part }}
{{- end }}

{{/* Selector labels of a part. Takes (dict "root" $ "part" "render"). */}}
{{- define "mesh.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mesh.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .part }}
{{- end }}

{{/* Common labels. Takes (dict "root" $ "part" "render"); part may be empty. */}}
{{- define "mesh.labels" -}}
helm.sh/chart: {{ include "mesh.chart" .root }}
app.kubernetes.io/name: {{ include "mesh.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .part }}
app.kubernetes.io/component: {{ .part }}
{{- end }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: mesh
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* Image of a part. Takes (dict "root" $ "part" "render"). */}}
{{- define "mesh.image" -}}
{{- $v := index .root.Values .part }}
{{- $tag := $v.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- printf "%s:%s" (required (printf "%s.image.repository is required" .part) $v.image.repository) $tag }}
{{- end }}

{{/* Internal URL of a part, unless endpoints.<part> overrides it. Takes (dict "root" $ "part" "render"). */}}
{{- define "mesh.endpoint" -}}
{{- $override := index .root.Values.endpoints .part }}
{{- if $override }}
{{- $override }}
{{- else }}
{{- printf "http://%s:8080" (include "mesh.componentName" .) }}
{{- end }}
{{- end }}

{{/* Secret names and keys. */}}
{{- define "mesh.redisSecretName" -}}
{{- .Values.redis.existingSecret | default (printf "%s-redis" (include "mesh.fullname" .)) }}
{{- end }}

{{- define "mesh.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecretKey }}
{{- else -}}
connectionString
{{- end }}
{{- end }}

{{- define "mesh.adminSecretName" -}}
{{- .Values.admin.existingSecret | default (printf "%s-admin" (include "mesh.fullname" .)) }}
{{- end }}

{{- define "mesh.adminSecretKey" -}}
{{- if .Values.admin.existingSecret }}
{{- .Values.admin.existingSecretKey }}
{{- else -}}
adminKey
{{- end }}
{{- end }}

{{- define "mesh.kekSecretName" -}}
{{- .Values.sign.keyEncryptionKey.existingSecret | default (printf "%s-sign-kek" (include "mesh.fullname" .)) }}
{{- end }}

{{- define "mesh.kekSecretKey" -}}
{{- if .Values.sign.keyEncryptionKey.existingSecret }}
{{- .Values.sign.keyEncryptionKey.existingSecretKey }}
{{- else -}}
keyEncryptionKey
{{- end }}
{{- end }}

{{/*
Fails early with a clear message when a required secret source is missing.
*/}}
{{- define "mesh.validate" -}}
{{- if not (or .Values.redis.connectionString .Values.redis.existingSecret) }}
{{- fail "Set redis.connectionString or redis.existingSecret: Mesh needs a durable Redis (appendonly yes, appendfsync always)." }}
{{- end }}
{{- if not (or .Values.sign.keyEncryptionKey.existingSecret .Values.sign.keyEncryptionKey.generate) }}
{{- fail "Set sign.keyEncryptionKey.existingSecret (a Secret with base64 of 32 random bytes), or sign.keyEncryptionKey.generate=true to let the chart generate and keep one." }}
{{- end }}
{{- end }}

{{/*
Environment of a part. Takes (dict "root" $ "part" "render").
*/}}
{{- define "mesh.env" -}}
{{- $root := .root }}
{{- $part := .part }}
{{- $v := index $root.Values $part -}}
# Kestrel: one cleartext endpoint on 8080 that speaks only HTTP/2 (prior knowledge),
# because without TLS there is no ALPN to choose HTTP/2 for gRPC.
- name: ASPNETCORE_URLS
  value: "http://0.0.0.0:8080"
- name: ASPNETCORE_HTTP_PORTS
  value: ""
- name: Kestrel__EndpointDefaults__Protocols
  value: Http2
- name: OTEL_SERVICE_NAME
  value: {{ printf "mesh-%s" $part | quote }}
{{- with $root.Values.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: Mesh__Store__Redis
  valueFrom:
    secretKeyRef:
      name: {{ include "mesh.redisSecretName" $root }}
      key: {{ include "mesh.redisSecretKey" $root }}
{{- if has $part (list "gateway" "schedule" "dispatch") }}
- name: Mesh__Endpoints__Render
  value: {{ include "mesh.endpoint" (dict "root" $root "part" "render") | quote }}
- name: Mesh__Endpoints__Sign
  value: {{ include "mesh.endpoint" (dict "root" $root "part" "sign") | quote }}
- name: Mesh__Endpoints__Schedule
  value: {{ include "mesh.endpoint" (dict "root" $root "part" "schedule") | quote }}
{{- end }}
{{- if eq $part "gateway" }}
- name: Mesh__Gateway__AdminKey
  valueFrom:
    secretKeyRef:
      name: {{ include "mesh.adminSecretName" $root }}
      key: {{ include "mesh.adminSecretKey" $root }}
{{- end }}
{{- if eq $part "sign" }}
- name: Mesh__Sign__KeyEncryptionKey
  valueFrom:
    secretKeyRef:
      name: {{ include "mesh.kekSecretName" $root }}
      key: {{ include "mesh.kekSecretKey" $root }}
{{- end }}
{{- if has $part (list "schedule" "dispatch") }}
- name: Mesh__Schedule__FirstRetry
  value: {{ $root.Values.delivery.firstRetry | quote }}
- name: Mesh__Schedule__MaxRetry
  value: {{ $root.Values.delivery.maxRetry | quote }}
- name: Mesh__Schedule__MaxAge
  value: {{ $root.Values.delivery.maxAge | quote }}
- name: Mesh__Dispatch__LeaseDuration
  value: {{ $root.Values.delivery.leaseDuration | quote }}
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with $v.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
