import t from 'tap';
import { HPA_VERSIONS } from '../../../controller/kube/served-apis.ts';
import type { HpaVersion } from '../../../controller/kube/served-apis.ts';
import { chooseHpaVersion } from '../../../controller/render/hpa-version.ts';

// Every subset of the versions the controller renders.
const SUBSETS: HpaVersion[][] = Array.from({ length: 2 ** HPA_VERSIONS.length }, (_, mask) => HPA_VERSIONS.filter((_, i) => (mask & (1 << i)) !== 0));

t.test('chooseHpaVersion, every asked version against every served set', async (t) => {
  t.equal(SUBSETS.length, 8);
  for (const served of SUBSETS) {
    const newest = served.at(-1);
    for (const asked of [undefined, '', ...HPA_VERSIONS]) {
      const choice = chooseHpaVersion(asked, served);
      const label = `asked ${String(asked)} served [${served.join(',')}]`;
      if (asked !== undefined && asked !== '' && (served as readonly string[]).includes(asked)) {
        t.same(choice, { version: asked, unavailable: undefined }, `${label}: the one asked`);
      } else if (newest === undefined) {
        t.equal(choice.version, undefined, `${label}: nothing to render`);
        t.match(choice.unavailable, /serves no autoscaling version \(served: none\): no HPA is rendered/, label);
      } else if (asked === undefined || asked === '') {
        t.same(choice, { version: newest, unavailable: undefined }, `${label}: the newest served, no warning`);
      } else {
        t.equal(choice.version, newest, `${label}: the newest served`);
        t.match(choice.unavailable, new RegExp(`version ${asked} asks for autoscaling/${asked}, which the API server does not serve .*rendered as autoscaling/${newest}`), label);
      }
    }
  }
});

t.test('the message names what is served', async (t) => {
  t.equal(
    chooseHpaVersion('v2beta2', ['v1', 'v2']).unavailable,
    'autoScalingPolicy.version v2beta2 asks for autoscaling/v2beta2, which the API server does not serve (served: autoscaling/v1, autoscaling/v2): the HPA is rendered as autoscaling/v2',
  );
  // The order given does not matter: the newest is v2 > v2beta2 > v1.
  t.equal(chooseHpaVersion('v1', ['v2', 'v2beta2']).version, 'v2');
  t.equal(chooseHpaVersion('v2', ['v2beta2', 'v1']).version, 'v2beta2');
});
