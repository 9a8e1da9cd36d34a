{{/*
Names, labels and shared snippets. Components: backend, frontend, migrate, test.
*/}}

{{/* Chart name (nameOverride), max 63 characters. */}}
{{- define "learning-portal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, max 63 characters (DNS label). The release name alone when it already
contains the chart name (`helm install learning-portal ...` gives `learning-portal`).
*/}}
{{- define "learning-portal.fullname" -}}
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

{{/* Name of a component's resources: <fullname>-<suffix>, max 63 characters.
Usage: include "learning-portal.componentName" (dict "ctx" $ "component" "backend") */}}
{{- define "learning-portal.componentName" -}}
{{- $max := sub 62 (len .component) | int }}
{{- printf "%s-%s" (include "learning-portal.fullname" .ctx | trunc $max | trimSuffix "-") .component }}
{{- end }}

{{/* Chart name and version for the helm.sh/chart label. */}}
{{- define "learning-portal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels of every resource. */}}
{{- define "learning-portal.labels" -}}
helm.sh/chart: {{ include "learning-portal.chart" . }}
{{ include "learning-portal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: learning-portal
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of the release (name + instance). */}}
{{- define "learning-portal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "learning-portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of a component's resources. Usage: (dict "ctx" $ "component" "backend") */}}
{{- define "learning-portal.componentLabels" -}}
{{ include "learning-portal.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Selector labels of a component's pods. Usage: (dict "ctx" $ "component" "backend") */}}
{{- define "learning-portal.componentSelectorLabels" -}}
{{ include "learning-portal.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* ServiceAccount of the backend and frontend pods (and the helm test pod). */}}
{{- define "learning-portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "learning-portal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Container image: repository@digest when a digest is set, else repository:tag (default: the
chart's appVersion). Usage: include "learning-portal.image" (dict "image" .Values.backend.image "ctx" $) */}}
{{- define "learning-portal.image" -}}
{{- if .image.digest }}
{{- printf "%s@%s" .image.repository .image.digest }}
{{- else }}
{{- $tag := default .ctx.Chart.AppVersion .image.tag | toString }}
{{- if eq $tag "latest" }}
{{- fail (printf "image %s: the tag \"latest\" is not allowed; use an immutable tag (a release or commit SHA) or a digest" .image.repository) }}
{{- end }}
{{- printf "%s:%s" .image.repository $tag }}
{{- end }}
{{- end }}

{{/* Fully qualified DNS name of the backend Service. */}}
{{- define "learning-portal.backendHost" -}}
{{- printf "%s.%s.svc.%s" (include "learning-portal.componentName" (dict "ctx" . "component" "backend")) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/* Name of the Secret with DJANGO_SECRET_KEY and DATABASE_URL (the chart's or an existing one). */}}
{{- define "learning-portal.secretName" -}}
{{- default (include "learning-portal.componentName" (dict "ctx" . "component" "secret")) .Values.secret.existingSecret }}
{{- end }}

{{/*
Django's secret key for a Secret the chart creates: the value from values, else the key of the
chart's Secret already in the cluster (so upgrades keep sessions valid), else 64 random characters.
The random value is generated once per render and remembered, so the release's Secret and the
migration hook's Secret agree.
*/}}
{{- define "learning-portal.djangoSecretKey" -}}
{{- if .Values.secret.djangoSecretKey }}
{{- .Values.secret.djangoSecretKey }}
{{- else }}
{{- $name := include "learning-portal.componentName" (dict "ctx" . "component" "secret") }}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $name }}
{{- $key := .Values.secret.keys.djangoSecretKey }}
{{- if and $existing $existing.data (hasKey $existing.data $key) }}
{{- index $existing.data $key | b64dec }}
{{- else }}
{{- if not (hasKey .Values "generatedDjangoSecretKey") }}
{{- $_ := set .Values "generatedDjangoSecretKey" (randAlphaNum 64) }}
{{- end }}
{{- .Values.generatedDjangoSecretKey }}
{{- end }}
{{- end }}
{{- end }}

{{/* Data of the chart's Secret (stringData), shared by the release Secret and the hook Secret. */}}
{{- define "learning-portal.secretStringData" -}}
{{ .Values.secret.keys.djangoSecretKey }}: {{ include "learning-portal.djangoSecretKey" . | quote }}
{{- if .Values.secret.databaseUrl }}
{{ .Values.secret.keys.databaseUrl }}: {{ .Values.secret.databaseUrl | quote }}
{{- end }}
{{- end }}

{{/* Django's allowed hosts: configured ones, the ingress hosts and the backend Service names
(the helm test pod and in-cluster callers use them). The pod IP is added at run time (POD_IP). */}}
{{- define "learning-portal.allowedHosts" -}}
{{- $hosts := list }}
{{- range .Values.config.allowedHosts }}{{ $hosts = append $hosts . }}{{ end }}
{{- if .Values.ingress.enabled }}
{{- range .Values.ingress.hosts }}{{ $hosts = append $hosts . }}{{ end }}
{{- end }}
{{- $backend := include "learning-portal.componentName" (dict "ctx" . "component" "backend") }}
{{- $hosts = append $hosts $backend }}
{{- $hosts = append $hosts (printf "%s.%s.svc" $backend .Release.Namespace) }}
{{- $hosts = append $hosts (include "learning-portal.backendHost" .) }}
{{- $hosts | uniq | join "," }}
{{- end }}

{{/* CSRF trusted origins: configured ones, else https://<host> for every ingress host. */}}
{{- define "learning-portal.csrfTrustedOrigins" -}}
{{- if .Values.config.csrfTrustedOrigins }}
{{- .Values.config.csrfTrustedOrigins | uniq | join "," }}
{{- else if .Values.ingress.enabled }}
{{- $origins := list }}
{{- range .Values.ingress.hosts }}{{ $origins = append $origins (printf "https://%s" .) }}{{ end }}
{{- $origins | uniq | join "," }}
{{- end }}
{{- end }}

{{/*
Non-secret environment of the app, as a YAML map: the ConfigMap's data, and the migration Job's
env (the Job runs before the ConfigMap exists on a first install, so it gets the values inline).
*/}}
{{- define "learning-portal.configData" -}}
{{- $data := dict
  "DJANGO_SETTINGS_MODULE" "portal.settings.production"
  "DJANGO_ALLOWED_HOSTS" (include "learning-portal.allowedHosts" .)
  "DJANGO_CSRF_TRUSTED_ORIGINS" (include "learning-portal.csrfTrustedOrigins" .)
  "DJANGO_LOG_LEVEL" .Values.config.logLevel
  "PORTAL_LAB_ENABLED" (ternary "true" "false" .Values.config.labEnabled)
}}
{{- $reserved := list "POD_IP" "PROMETHEUS_MULTIPROC_DIR" "GUNICORN_WORKERS" "GUNICORN_TIMEOUT" "GUNICORN_GRACEFUL_TIMEOUT" "GUNICORN_MAX_REQUESTS" "DATABASE_PASSWORD_FILE" .Values.secret.keys.djangoSecretKey .Values.secret.keys.databaseUrl }}
{{- range $name, $value := .Values.config.extraEnv }}
{{- if or (hasKey $data $name) (has $name $reserved) }}
{{- fail (printf "config.extraEnv.%s: the chart sets %s itself; use the dedicated value instead (see values.yaml)" $name $name) }}
{{- end }}
{{- $_ := set $data $name (toString $value) }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/* Where prometheus_client's multiprocess mode keeps its files: the image's path (Dockerfile),
an in-memory emptyDir in the pod. */}}
{{- define "learning-portal.metricsDir" -}}/tmp/prometheus-multiproc{{- end }}

{{/* Environment from the Secret (DJANGO_SECRET_KEY and DATABASE_URL under their fixed names,
whatever the keys are called in the Secret). Usage: include ... (dict "ctx" $ "secretName" "...") */}}
{{- define "learning-portal.secretEnv" -}}
- name: DJANGO_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .ctx.Values.secret.keys.djangoSecretKey }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .ctx.Values.secret.keys.databaseUrl }}
      # Optional: without it production settings stop with "DATABASE_URL is required in
      # production", clearer than the kubelet's CreateContainerConfigError.
      optional: true
{{- end }}

{{/*
The database password as a file (database.passwordSecret): the Secret's key mounted as the file
`password` in a directory of its own. A directory mount, not subPath: the kubelet rewrites the
file in place when the Secret changes (a subPath mount would keep the old password forever), and
the app reads it for every new connection (DATABASE_PASSWORD_FILE). Callers check
.Values.database.passwordSecret.name first.
*/}}
{{- define "learning-portal.databasePasswordDir" -}}/var/run/secrets/portal/database{{- end }}

{{/* env entry DATABASE_PASSWORD_FILE. */}}
{{- define "learning-portal.databasePasswordEnv" -}}
# The password of DATABASE_URL, read from the mounted Secret for every new connection.
- name: DATABASE_PASSWORD_FILE
  value: {{ printf "%s/password" (include "learning-portal.databasePasswordDir" .) | quote }}
{{- end }}

{{/* volumeMounts entry of the password file's directory. */}}
{{- define "learning-portal.databasePasswordVolumeMount" -}}
- name: database-password
  mountPath: {{ include "learning-portal.databasePasswordDir" . }}
  readOnly: true
{{- end }}

{{/* volumes entry: the one key of the password Secret. Mode 0440: owner root, group the pod's
fsGroup (the kubelet gives Secret volume files that group, and every process of the pod has it as
a supplementary group), so the non-root app user reads it; nobody else does, nobody writes it.
The Secret is not optional: without it the pod does not start, which says more than an app that
cannot log in. */}}
{{- define "learning-portal.databasePasswordVolume" -}}
- name: database-password
  secret:
    secretName: {{ .Values.database.passwordSecret.name }}
    items:
      - key: {{ .Values.database.passwordSecret.key }}
        path: password
    defaultMode: 0440
{{- end }}

{{/* Pod security context: Pod Security Standard "restricted". Usage: (the component's securityContext values) */}}
{{- define "learning-portal.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
fsGroup: {{ .fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container security context: Pod Security Standard "restricted", read-only root filesystem. */}}
{{- define "learning-portal.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .runAsUser }}
runAsGroup: {{ .runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* preStop hook that waits N seconds: the kubelet's sleep action where the cluster has it
(Kubernetes 1.30+, no binary needed), else `sleep` in the container. Usage: (dict "ctx" $ "seconds" N) */}}
{{- define "learning-portal.preStopSleep" -}}
preStop:
{{- if semverCompare ">=1.30.0-0" .ctx.Capabilities.KubeVersion.Version }}
  sleep:
    seconds: {{ .seconds }}
{{- else }}
  exec:
    command: ["sleep", "{{ .seconds }}"]
{{- end }}
{{- end }}

{{/* topologySpreadConstraints across zones and nodes. Usage: (dict "ctx" $ "component" "backend" "values" .Values.backend) */}}
{{- define "learning-portal.topologySpread" -}}
{{- if .values.topologySpread.enabled -}}
topologySpreadConstraints:
{{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $.values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "learning-portal.componentSelectorLabels" (dict "ctx" $.ctx "component" $.component) | nindent 8 }}
    matchLabelKeys:
      - pod-template-hash
{{- end }}
{{- end }}
{{- end }}

{{/* HorizontalPodAutoscaler (autoscaling/v2) on CPU. Usage: (dict "ctx" $ "component" "backend" "values" .Values.backend) */}}
{{- define "learning-portal.hpa" -}}
{{- $a := .values.autoscaling }}
{{- if gt (int $a.minReplicas) (int $a.maxReplicas) }}
{{- fail (printf "%s.autoscaling: minReplicas (%v) must not exceed maxReplicas (%v)" .component $a.minReplicas $a.maxReplicas) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "learning-portal.componentName" (dict "ctx" .ctx "component" .component) }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "learning-portal.componentLabels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "learning-portal.componentName" (dict "ctx" .ctx "component" .component) }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {{ $a.scaleDownStabilizationSeconds }}
      policies:
        # At most a quarter of the pods per minute: a dip in traffic never halves capacity.
        - type: Percent
          value: 25
          periodSeconds: 60
    scaleUp:
      stabilizationWindowSeconds: 0
      policies:
        - type: Percent
          value: 100
          periodSeconds: 30
        - type: Pods
          value: 4
          periodSeconds: 30
      selectPolicy: Max
{{- end }}

{{/* PodDisruptionBudget. Usage: (dict "ctx" $ "component" "backend" "values" .Values.backend) */}}
{{- define "learning-portal.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "learning-portal.componentName" (dict "ctx" .ctx "component" .component) }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "learning-portal.componentLabels" (dict "ctx" .ctx "component" .component) | nindent 4 }}
spec:
  maxUnavailable: {{ .values.podDisruptionBudget.maxUnavailable }}
  # Pods that are not ready may always be evicted: a crash-looping pod must not block a node drain.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "learning-portal.componentSelectorLabels" (dict "ctx" .ctx "component" .component) | nindent 6 }}
{{- end }}

{{/* True when the cluster serves the Prometheus Operator's CRDs (monitoring.coreos.com/v1). */}}
{{- define "learning-portal.hasPrometheusOperator" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}true{{ end }}
{{- end }}

{{/* NetworkPolicy egress rule: cluster DNS over UDP and TCP 53. */}}
{{- define "learning-portal.egressDns" -}}
- to:
    - namespaceSelector:
        {{- toYaml .Values.networkPolicy.dns.namespaceSelector | nindent 8 }}
      podSelector:
        {{- toYaml .Values.networkPolicy.dns.podSelector | nindent 8 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}

{{/* NetworkPolicy egress rule: PostgreSQL. */}}
{{- define "learning-portal.egressDatabase" -}}
- to:
    {{- range .Values.networkPolicy.database.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
  ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.database.port }}
{{- end }}
