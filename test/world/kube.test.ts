/**
 * test/world/kube.ts's reading of client-node's failures: the HTTP status, the API server's own
 * message (what tests match refusals against), and the 404 / 409 shortcuts. Against client-node's
 * real ApiException; the world tests exercise the same functions against the API server.
 */
import t from 'tap';
import { ApiException } from '@kubernetes/client-node';
import { apiMessage, httpStatus, unlessExists, unlessNotFound } from './kube.ts';

const status = (code: number, message: string): string => JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code });

t.test('apiMessage: the Status message, whether the body came as text or parsed', async (t) => {
  const quoted = 'pods "x" is forbidden: violates PodSecurity "restricted:latest"';
  t.equal(apiMessage(new ApiException(403, 'Unknown API Status Code!', status(403, quoted), {})), quoted, 'a text body is parsed');
  t.equal(apiMessage(new ApiException(401, 'Unauthorized', { message: 'Unauthorized' }, {})), 'Unauthorized', 'a parsed body');
  t.equal(apiMessage(new ApiException(502, 'Bad Gateway', 'upstream down', {})), 'upstream down', 'a body that is not JSON is the message');
  t.equal(apiMessage(new Error('connect ECONNREFUSED')), 'connect ECONNREFUSED', 'not an API error: its own message');
});

t.test('httpStatus: the code of an ApiException, undefined for any other error', async (t) => {
  t.equal(httpStatus(new ApiException(409, 'Conflict', '', {})), 409);
  t.equal(httpStatus(new Error('socket hang up')), undefined);
  t.equal(httpStatus(Object.assign(new Error('x'), { code: 'ECONNRESET' })), undefined, 'a Node error code is not an HTTP status');
});

t.test('unlessNotFound and unlessExists turn only their own status into a value', async (t) => {
  t.equal(await unlessNotFound(Promise.reject(new ApiException(404, 'Not Found', status(404, 'not found'), {}))), undefined);
  t.equal(await unlessNotFound(Promise.resolve('found')), 'found');
  await t.rejects(unlessNotFound(Promise.reject(new ApiException(403, 'Forbidden', status(403, 'no'), {}))), { code: 403 });
  t.equal(await unlessExists(Promise.reject(new ApiException(409, 'Conflict', status(409, 'exists'), {}))), 'exists');
  await t.rejects(unlessExists(Promise.reject(new ApiException(404, 'Not Found', '', {}))), { code: 404 });
});
