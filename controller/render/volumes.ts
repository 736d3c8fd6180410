/**
 * Volumes of a component's pods: the data and log volumes (PVC templates, emptyDir or hostPath
 * from `storageVolumes`, with the defaults below), the agent's state emptyDir and the emptyDir
 * holding its injected executable, the conf ConfigMap,
 * and the CR's extra ConfigMaps and Secrets.
 *
 * Defaults (a `storageVolumes` entry with the same name or mount path replaces one):
 * FE meta and BE storage are PVCs (`FE_META_SIZE`, `BE_STORAGE_SIZE`, default StorageClass);
 * FE/BE/CN logs are emptyDirs as in the official operator.
 */
import { DATA_PATHS, PASSWORD_MOUNTS, PATHS, configMapMountPath, confFileName, names } from '../../agent/contract/index.ts';
import type { Component } from '../../agent/contract/index.ts';
import {
  BE_STORAGE_SIZE,
  FE_META_SIZE,
  STORAGE_CLASS_EMPTY_DIR,
  STORAGE_CLASS_HOST_PATH,
} from '../cr/defaults.ts';
import type { ComponentSpec, SecretKeyRef, StorageVolume } from '../cr/types.ts';
import type { JsonObject } from '../json.ts';
import { clusterLabels } from './objects.ts';

/** Volume names the controller itself uses. */
export const VOLUME_NAMES = {
  agentState: 'agent-state',
  /** The emptyDir at `PATHS.agentBinDir` that `install-agent` fills with the agent's executable. */
  agentBin: 'agent-bin',
  conf: 'starrocks-conf',
  tmp: 'tmp',
  /** FE pods only: the root password Secret's key, as the file `PASSWORD_MOUNTS.file`. */
  rootPassword: 'root-password',
  /** Every pod: the generated Secret with the agent SQL user's password. */
  agentPassword: 'agent-password',
} as const;

// Owner and group may read (fsGroup makes the group the StarRocks user's); nobody else.
const SECRET_FILE_MODE = 0o440;

/** The volumes that hold what a node cannot lose: FE meta and BE tablets (official names). */
export const DATA_VOLUMES = { fe: 'fe-meta', be: 'be-data' } as const;
/** Where each data volume is mounted by default. */
export const DATA_VOLUME_PATHS = { fe: DATA_PATHS.feMeta, be: DATA_PATHS.beStorage } as const;

/** The default storage volumes of each component (official names and paths). */
function defaultStorageVolumes(component: Component): StorageVolume[] {
  const volume = (name: string, mountPath: string, storageClassName?: string, storageSize = '1Gi'): StorageVolume => ({
    name,
    mountPath,
    storageClassName,
    storageSize,
    hostPath: undefined,
    subPath: undefined,
  });
  switch (component) {
    case 'fe':
      return [volume(DATA_VOLUMES.fe, DATA_PATHS.feMeta, undefined, FE_META_SIZE), volume('fe-log', DATA_PATHS.feLog, STORAGE_CLASS_EMPTY_DIR)];
    case 'be':
      return [volume(DATA_VOLUMES.be, DATA_PATHS.beStorage, undefined, BE_STORAGE_SIZE), volume('be-log', DATA_PATHS.beLog, STORAGE_CLASS_EMPTY_DIR)];
    case 'cn':
      return [volume('cn-log', DATA_PATHS.cnLog, STORAGE_CLASS_EMPTY_DIR)];
  }
}

/** The storage volumes in effect: the CR's, plus the defaults they do not replace. */
export function effectiveStorageVolumes(spec: ComponentSpec): StorageVolume[] {
  const defaults = defaultStorageVolumes(spec.component).filter(
    (d) => !spec.storageVolumes.some((v) => v.name === d.name || v.mountPath === d.mountPath),
  );
  // A size starting with 0 drops the volume (official behaviour): the path stays in the image.
  return [...defaults, ...spec.storageVolumes].filter((v) => !v.storageSize.startsWith('0'));
}

/**
 * Where a component keeps its data when that place does not outlive the pod: an emptyDir the CR
 * asked for, or no volume at all (a `storageSize` starting with 0 leaves the path in the
 * container's own filesystem). Undefined when the data is on a PVC or a hostPath, and for CN
 * (its storage is a cache). The data volume is the one named like the official default or
 * mounted at the default path.
 */
export function ephemeralDataVolume(spec: ComponentSpec): string | undefined {
  if (spec.component === 'cn') return undefined;
  const name = DATA_VOLUMES[spec.component];
  const path = DATA_VOLUME_PATHS[spec.component];
  const volumes = effectiveStorageVolumes(spec).filter((v) => v.name === name || v.mountPath === path);
  if (volumes.length === 0) return `${path} is on no volume (storageSize 0), in the container's own filesystem`;
  const emptyDir = volumes.find((v) => v.storageClassName === STORAGE_CLASS_EMPTY_DIR);
  return emptyDir === undefined ? undefined : `${emptyDir.mountPath} is on the emptyDir ${emptyDir.name}`;
}

/** What a component's pods mount. */
export interface PodVolumes {
  volumes: JsonObject[];
  mounts: JsonObject[];
  claimTemplates: JsonObject[];
}

/** Options of `renderVolumes`. */
export interface VolumeOptions {
  cluster: string;
  spec: ComponentSpec;
  /** The root password Secret (`spec.agent.passwordSecret`): mounted in FE pods only. */
  passwordSecret?: SecretKeyRef | undefined;
}

/** Volumes, mounts and PVC templates of a component. */
export function renderVolumes(options: VolumeOptions): PodVolumes {
  const { spec } = options;
  const out: PodVolumes = { volumes: [], mounts: [], claimTemplates: [] };
  const mount = (name: string, mountPath: string, subPath?: string, readOnly?: boolean): void => {
    const m: JsonObject = { name, mountPath };
    if (subPath !== undefined) m.subPath = subPath;
    if (readOnly === true) m.readOnly = true;
    out.mounts.push(m);
  };
  for (const v of effectiveStorageVolumes(spec)) {
    if (v.storageClassName === STORAGE_CLASS_EMPTY_DIR) {
      out.volumes.push({ name: v.name, emptyDir: {} });
    } else if (v.storageClassName === STORAGE_CLASS_HOST_PATH || v.hostPath !== undefined) {
      out.volumes.push({ name: v.name, hostPath: v.hostPath ?? { path: v.mountPath } });
    } else {
      const claim: JsonObject = {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: v.storageSize } },
      };
      if (v.storageClassName !== undefined) claim.storageClassName = v.storageClassName;
      out.claimTemplates.push({
        metadata: { name: v.name, labels: clusterLabels(options.cluster, spec.component) },
        spec: claim,
      });
    }
    mount(v.name, v.mountPath, v.subPath);
  }
  out.volumes.push({ name: VOLUME_NAMES.agentState, emptyDir: {} });
  mount(VOLUME_NAMES.agentState, PATHS.agentStateDir);
  // Only install-agent writes the executable; the StarRocks containers run it read-only. Mounted
  // over the combined images' own copy too, so every pod runs the injected version.
  out.volumes.push({ name: VOLUME_NAMES.agentBin, emptyDir: {} });
  mount(VOLUME_NAMES.agentBin, PATHS.agentBinDir, undefined, true);
  // Passwords reach the agent as files (never env): a Secret volume without subPath, so kubelet
  // updates the file in place on a rotation. Root's only in FE pods: BE/CN run user code (UDFs).
  if (spec.component === 'fe' && options.passwordSecret !== undefined) {
    out.volumes.push({
      name: VOLUME_NAMES.rootPassword,
      secret: { secretName: options.passwordSecret.name, items: [{ key: options.passwordSecret.key, path: PASSWORD_MOUNTS.file }], defaultMode: SECRET_FILE_MODE },
    });
    mount(VOLUME_NAMES.rootPassword, PASSWORD_MOUNTS.rootDir, undefined, true);
  }
  out.volumes.push({
    name: VOLUME_NAMES.agentPassword,
    secret: { secretName: names(options.cluster).agentPasswordSecret, items: [{ key: PASSWORD_MOUNTS.file, path: PASSWORD_MOUNTS.file }], defaultMode: SECRET_FILE_MODE },
  });
  mount(VOLUME_NAMES.agentPassword, PASSWORD_MOUNTS.agentDir, undefined, true);
  if (spec.configMapInfo !== undefined) {
    out.volumes.push({
      name: VOLUME_NAMES.conf,
      configMap: {
        name: spec.configMapInfo.configMapName,
        items: [{ key: spec.configMapInfo.resolveKey, path: confFileName(spec.component) }],
      },
    });
    mount(VOLUME_NAMES.conf, configMapMountPath(spec.component), undefined, true);
  }
  spec.configMaps.forEach((cm, i) => {
    out.volumes.push({ name: `configmap-${i}`, configMap: { name: cm.name } });
    mount(`configmap-${i}`, cm.mountPath, cm.subPath);
  });
  spec.secrets.forEach((secret, i) => {
    out.volumes.push({ name: `secret-${i}`, secret: { secretName: secret.name } });
    mount(`secret-${i}`, secret.mountPath, secret.subPath);
  });
  if (spec.readOnlyRootFilesystem) {
    // StarRocks and the JVM write temporary files; a read-only root needs a writable /tmp.
    out.volumes.push({ name: VOLUME_NAMES.tmp, emptyDir: {} });
    mount(VOLUME_NAMES.tmp, '/tmp');
  }
  return out;
}
