/**
 * The Secret holding the password of the agent's SQL user (`SQL_USERS.agent`, role
 * `cluster_admin`). The controller creates it once, when absent, with a random password, and never
 * rewrites it: it is not part of the applied plan (an apply would replace the password on every
 * reconcile). The agents read it as a file; FE 0's agent creates the SQL user with it. A user who
 * changes the key rotates the password: the FE leader's agent applies the new one.
 *
 * @example
 * ```ts
 * await api.create(agentPasswordSecret({ cluster, password: generateAgentPassword() }));
 * ```
 */
import { randomBytes } from 'node:crypto';
import { PASSWORD_MOUNTS, names } from '../../agent/contract/index.ts';
import type { StarRocksCluster } from '../cr/types.ts';
import { objectMeta } from './objects.ts';
import type { KubernetesObject } from './objects.ts';

/** A new random password: 24 bytes from the CSPRNG, base64url (32 characters, no quote or backslash). */
export function generateAgentPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** The agent password Secret of a cluster, owned by it (deleted with it). Pure. */
export function agentPasswordSecret(input: { cluster: StarRocksCluster; password: string }): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: objectMeta({ cluster: input.cluster, name: names(input.cluster.name).agentPasswordSecret }),
    type: 'Opaque',
    data: { [PASSWORD_MOUNTS.file]: Buffer.from(input.password, 'utf8').toString('base64') },
  };
}
