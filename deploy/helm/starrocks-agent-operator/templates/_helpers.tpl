{{/* Labels every object of the release carries. */}}
{{- define "sao.labels" -}}
app.kubernetes.io/part-of: starrocks-agent-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The controller's ServiceAccount name. */}}
{{- define "sao.serviceAccount" -}}
{{ .Values.operator.global.rbac.serviceAccount.name | default "starrocks-controller" }}
{{- end -}}

{{/* The StarRocksCluster's namespace: starrocks.starrocksCluster.namespace, else the release's. */}}
{{- define "sao.clusterNamespace" -}}
{{ .Values.starrocks.starrocksCluster.namespace | default .Release.Namespace }}
{{- end -}}

{{/* The root password Secret the cluster uses, or "" when initPassword is off. */}}
{{- define "sao.passwordSecret" -}}
{{- $p := .Values.starrocks.initPassword -}}
{{- if $p.enabled -}}
{{- if $p.passwordSecret -}}{{ $p.passwordSecret }}{{- else -}}{{ printf "%s-root-password" .Values.starrocks.starrocksCluster.name }}{{- end -}}
{{- end -}}
{{- end -}}

{{/*
One component of the StarRocksCluster, from the official chart's starrocks<C>Spec values.
dict: root (.), c (fe|be|cn), spec (the component's values).
*/}}
{{- define "sao.component" -}}
{{- $root := .root -}}
{{- $c := .c -}}
{{- $s := .spec -}}
{{- $cv := $root.Values.starrocks.starrocksCluster.componentValues -}}
{{- $tag := $s.image.tag | default $cv.image.tag -}}
image: {{ printf "%s:%s" $s.image.repository $tag | quote }}
{{- if hasKey $s "replicas" }}
replicas: {{ $s.replicas }}
{{- end }}
{{- with $s.imagePullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- with ($s.resources | default dict) }}
{{- with .requests }}
requests: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .limits }}
limits: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
{{- range $key := list "imagePullSecrets" "hostAliases" "schedulerName" "serviceAccount" "tolerations" "topologySpreadConstraints" "nodeSelector" "affinity" "podLabels" }}
{{- $v := (hasKey $s $key | ternary (get $s $key) (get $cv $key)) }}
{{- if $v }}
{{ $key }}: {{- toYaml $v | nindent 2 }}
{{- end }}
{{- end }}
{{- $nonRoot := (hasKey $s "runAsNonRoot" | ternary $s.runAsNonRoot $cv.runAsNonRoot) }}
{{- if not (kindIs "invalid" $nonRoot) }}
runAsNonRoot: {{ $nonRoot }}
{{- end }}
{{- range $key := list "annotations" "service" "readOnlyRootFilesystem" "capabilities" "sysctls" "secrets" "configMaps" "lifecycle" "sidecars" "initContainers" "terminationGracePeriodSeconds" "startupProbeFailureSeconds" "livenessProbeFailureSeconds" "readinessProbeFailureSeconds" "minReadySeconds" "podManagementPolicy" "persistentVolumeClaimRetentionPolicy" "shareProcessNamespace" "priorityClassName" "autoScalingPolicy" }}
{{- if and (hasKey $s $key) (not (kindIs "invalid" (get $s $key))) }}
{{- $v := get $s $key }}
{{- if or (kindIs "map" $v) (kindIs "slice" $v) }}
{{- if $v }}
{{ $key }}: {{- toYaml $v | nindent 2 }}
{{- end }}
{{- else }}
{{ $key }}: {{ toJson $v }}
{{- end }}
{{- end }}
{{- end }}
{{- if or $s.config $s.configyaml }}
configMapInfo:
  configMapName: {{ printf "%s-%s-cm" $root.Values.starrocks.starrocksCluster.name $c }}
  resolveKey: {{ printf "%s.conf" $c }}
{{- end }}
{{- with $s.storageSpec }}
{{- if .name }}
{{- $data := ternary "meta" (ternary "data" "data" (eq $c "be")) (eq $c "fe") }}
{{- $defaultData := dict "fe" "/opt/starrocks/fe/meta" "be" "/opt/starrocks/be/storage" "cn" "/opt/starrocks/cn/storage" }}
storageVolumes:
  - name: {{ printf "%s-%s" .name $data }}
    {{- with .storageClassName }}
    storageClassName: {{ . }}
    {{- end }}
    storageSize: {{ .storageSize | quote }}
    mountPath: {{ .storageMountPath | default (get $defaultData $c) }}
  {{- if and .logStorageSize (ne (toString .logStorageSize) "0Gi") }}
  - name: {{ printf "%s-log" .name }}
    {{- with (.logStorageClassName | default .storageClassName) }}
    storageClassName: {{ . }}
    {{- end }}
    storageSize: {{ .logStorageSize | quote }}
    mountPath: {{ .logMountPath | default (printf "/opt/starrocks/%s/log" $c) }}
  {{- end }}
{{- end }}
{{- end }}
{{- $env := get $s (printf "%sEnvVars" $c) | default list }}
{{- if $root.Values.starrocks.timeZone }}
{{- $env = prepend $env (dict "name" "TZ" "value" $root.Values.starrocks.timeZone) }}
{{- end }}
{{- if $env }}
{{ printf "%sEnvVars" $c }}: {{- toYaml $env | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The conf file text of a component: configyaml (key = value lines) wins over config. */}}
{{- define "sao.conf" -}}
{{- if .configyaml -}}
{{- range $k, $v := .configyaml }}{{ $k }} = {{ $v }}
{{ end -}}
{{- else -}}
{{ .config }}
{{- end -}}
{{- end -}}
