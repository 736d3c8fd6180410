import t from 'tap';
import { childEnv } from '../../../agent/process/child-env.ts';

t.test('the StarRocks process gets the env without MYSQL_PWD, everything else as is', async (t) => {
  const env = childEnv({ PATH: '/usr/bin', MYSQL_PWD: 's3cret', POD_IP: '10.0.0.7', EMPTY: '', GONE: undefined });
  t.same(env, { PATH: '/usr/bin', POD_IP: '10.0.0.7', EMPTY: '' });
  t.notOk(JSON.stringify(env).includes('s3cret'));
});
