import t from 'tap';
import { AgentError, describeError, exitCodeOf, isAgentError } from '../../../agent/contract/errors.ts';

t.test('describeError gives CODE: message, and exit codes follow the code', async (t) => {
  const error = new AgentError('ERR_SQL_TIMEOUT', 'SHOW FRONTENDS on 127.0.0.2:9030 took longer than 10000 ms');
  t.equal(describeError(error), 'ERR_SQL_TIMEOUT: SHOW FRONTENDS on 127.0.0.2:9030 took longer than 10000 ms');
  t.equal(exitCodeOf(error), 83);
  t.ok(isAgentError(error, 'ERR_SQL_TIMEOUT'));
  t.notOk(isAgentError(error, 'ERR_SQL'));
  t.equal(describeError(new Error('boom')), 'ERR_INTERNAL: boom');
  t.equal(exitCodeOf('weird'), 99);
});
