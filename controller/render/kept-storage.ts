/**
 * A StatefulSet's `volumeClaimTemplates` cannot change. A StatefulSet created with its data volume
 * (FE meta, BE storage) on an emptyDir, as BE storage was by default before it moved to a PVC,
 * keeps that emptyDir: rendering a claim template instead would make every apply fail. The
 * status then warns `DataOnEphemeralStorage`, and the README says how to move the data. Pure.
 *
 * @example
 * ```ts
 * const { cluster: effective, kept } = keepEphemeralData(cluster, { be: observeStorage(rawBeSts) });
 * // kept: ['be'] when the existing BE StatefulSet has be-data as an emptyDir
 * ```
 */
import type { Component } from '../../agent/contract/index.ts';
import { STORAGE_CLASS_EMPTY_DIR, STORAGE_CLASS_HOST_PATH } from '../cr/defaults.ts';
import type { ComponentSpec, StarRocksCluster } from '../cr/types.ts';
import { asString, dig, isObject } from '../json.ts';
import { DATA_VOLUME_PATHS, DATA_VOLUMES, effectiveStorageVolumes } from './volumes.ts';

/** What an existing StatefulSet's storage is: its claim templates and its emptyDir volumes. */
export interface ObservedStorage {
  claimTemplates: string[];
  emptyDirs: string[];
}

/** Reads the storage of a StatefulSet as the API server returned it. */
export function observeStorage(raw: unknown): ObservedStorage {
  const names = (list: unknown, keep: (item: Record<string, unknown>) => boolean): string[] =>
    Array.isArray(list) ? list.filter(isObject).filter(keep).flatMap((item) => asString(item.name) ?? asString(dig(item, 'metadata', 'name')) ?? []) : [];
  return {
    claimTemplates: names(dig(raw, 'spec', 'volumeClaimTemplates'), () => true),
    emptyDirs: names(dig(raw, 'spec', 'template', 'spec', 'volumes'), (v) => v.emptyDir !== undefined),
  };
}

/** The cluster with each data volume an existing StatefulSet holds on an emptyDir kept there. */
export function keepEphemeralData(cluster: StarRocksCluster, observed: Partial<Record<Component, ObservedStorage>>): { cluster: StarRocksCluster; kept: Component[] } {
  const kept: Component[] = [];
  const keep = <S extends ComponentSpec>(spec: S, component: 'fe' | 'be'): S => {
    const storage = observed[component];
    const data = effectiveStorageVolumes(spec).find((v) => v.name === DATA_VOLUMES[component] || v.mountPath === DATA_VOLUME_PATHS[component]);
    const onClaim = data !== undefined && data.storageClassName !== STORAGE_CLASS_EMPTY_DIR && data.storageClassName !== STORAGE_CLASS_HOST_PATH && data.hostPath === undefined;
    if (storage === undefined || !onClaim || storage.claimTemplates.includes(data.name) || !storage.emptyDirs.includes(data.name)) return spec;
    kept.push(component);
    const others = spec.storageVolumes.filter((v) => v.name !== data.name && v.mountPath !== data.mountPath);
    return { ...spec, storageVolumes: [...others, { ...data, storageClassName: STORAGE_CLASS_EMPTY_DIR }] };
  };
  const fe = keep(cluster.fe, 'fe');
  const be = cluster.be === undefined ? undefined : keep(cluster.be, 'be');
  return kept.length === 0 ? { cluster, kept } : { cluster: { ...cluster, fe, be }, kept };
}
