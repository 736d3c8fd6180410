/**
 * `kubectl drain` of two of three nodes at once (the eviction API, honouring the controller's
 * PodDisruptionBudgets), the pods first spread over the three nodes, then both uncordoned.
 */
import { LABELS } from '../../../agent/contract/index.ts';
import type { Component } from '../../../agent/contract/index.ts';
import { drainNodes, podNodes, uncordonNodes } from '../actions.ts';
import type { Scenario } from '../scenario.ts';

const NODES = ['world-node-0', 'world-node-1', 'world-node-2'];

// One pod of a component per node where the scheduler can (preferred, so a drained node's pods still
// find room on the node left).
const spread = (component: Component): { spec: Record<string, unknown> } => ({
  spec: {
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { [LABELS.instance]: 'sr', [LABELS.component]: component } } } },
        ],
      },
    },
  },
});

export const scenario: Scenario = {
  name: 'drain-two-nodes',
  summary: 'kubectl drain of two of three nodes at once (PDBs honoured), pods spread over the three, then uncordon',
  shape: { fe: 3, be: 3, cn: 0 },
  nodes: 3,
  graceSeconds: { fe: 30, be: 30 },
  components: { fe: spread('fe'), be: spread('be') },
  tables: [{ buckets: 6, replicationNum: 2 }],
  async run(ctx) {
    const placed = await podNodes(ctx.cluster);
    const used = new Set(placed.values());
    ctx.note(`placement: ${[...placed].map(([pod, node]) => `${pod}@${node ?? '?'}`).join(', ')}`);
    // The scenario means pods on every node: without that it would not drain what it says.
    if (NODES.some((n) => !used.has(n))) throw new Error(`the pods are not spread over the 3 nodes: ${[...used].join(', ')}`);
    const kept = ctx.rng.pick(NODES);
    const drained = NODES.filter((n) => n !== kept);
    await ctx.pause(0, 5_000);
    await drainNodes(ctx, drained, 75);
    await ctx.pause(0, 10_000);
    await uncordonNodes(ctx, drained);
  },
  boundMs: 120_000,
};
