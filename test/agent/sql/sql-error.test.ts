import t from 'tap';
import { classifySqlError, sqlFailure } from '../../../agent/sql/sql-error.ts';
import type { SqlErrorKind } from '../../../agent/sql/sql-error.ts';

// The exact texts of starrocks-fe-protocol.md §4.4-4.5, in 3.3+ form and with the 3.0-3.2
// `Unexpected exception: ` prefix.
const FE_TEXTS: Array<[string, SqlErrorKind]> = [
  ['FE with the same host: fe-1.svc already exists', 'already_exists'],
  ['frontend already exists name: fe-1_9010_17, role: FOLLOWER, fe-1:9010', 'already_exists'],
  ['Backend already exists with same host 10.0.0.7 and port 9050', 'already_exists'],
  ['Compute node already exists with same host 10.0.0.7 and port 9050', 'already_exists'],
  ['Same backend already exists[10.0.0.7:9050]', 'already_exists'],
  ['Same compute node already exists[10.0.0.7:9050]', 'already_exists'],
  ['frontend name already exists fe-1_9010_17. Try again', 'retry'],
  ['Failed to acquire globalStateMgr lock. Try again', 'retry'],
  ['frontend does not exist[fe-1.svc:9010]', 'does_not_exist'],
  ['FOLLOWER does not exist[10.0.0.5:9010]', 'does_not_exist'],
  ['OBSERVER does not exist[10.0.0.5:9010]', 'does_not_exist'],
  ['backend does not exists[10.0.0.7:9050]', 'does_not_exist'],
  ['compute node does not exists[10.0.0.7:9050]', 'does_not_exist'],
  ['Backend does not exist[10.0.0.7:9050]', 'does_not_exist'],
  ['can not drop current master node.', 'cannot_drop_leader'],
  ['It will cause insufficient BE number if these BEs are decommissioned because the table db.t requires 3 replicas.', 'insufficient_be_number'],
  ['It will cause insufficient disk space if these BEs are decommissioned.', 'insufficient_disk_space'],
  [
    'Tables such as [db.t] on the backend[10.0.0.7:9050] have only one replica. To avoid data loss, please change the replication_num of [db.t] to three. ALTER SYSTEM DROP BACKEND <backends> FORCE can be used to forcibly drop the backend. ',
    'only_one_replica',
  ],
  ['unknown fqdn host: fe-3.svc', 'unknown_host'],
  ['Getting analyzing error. Detail message: Unknown host: be-3.svc: Name or service not known.', 'unknown_host'],
  ['Getting analyzing error. Detail message: backend host or port is wrong!.', 'other'],
  ['Unknown error', 'other'],
];

t.test('FE error texts, 3.3+ and with the 3.0-3.2 prefix', async (t) => {
  for (const [message, kind] of FE_TEXTS) {
    t.equal(classifySqlError({ errno: 1064, code: 'ER_PARSE_ERROR', message }), kind, message);
    t.equal(classifySqlError({ errno: 1064, message: `Unexpected exception: ${message}` }), kind, `3.0-3.2: ${message}`);
  }
});

t.test('auth and transport errors', async (t) => {
  t.equal(classifySqlError({ errno: 1045, code: 'ER_ACCESS_DENIED_ERROR', message: "Access denied for user 'root' (using password: YES)" }), 'auth');
  t.equal(classifySqlError({ message: "Access denied for user 'root' (using password: NO)" }), 'auth');
  t.equal(classifySqlError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9030' }), 'connection_refused');
  t.equal(classifySqlError({ code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' }), 'timeout');
  t.equal(classifySqlError({ code: 'PROTOCOL_SEQUENCE_TIMEOUT', message: 'Query inactivity timeout' }), 'timeout');
  for (const code of ['ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST']) {
    t.equal(classifySqlError({ code, message: code }), 'connection_lost', code);
  }
  t.equal(classifySqlError({ code: 'SOMETHING_ELSE', message: 'weird' }), 'other');
  t.same(sqlFailure({ errno: 1064, message: 'can not drop current master node.' }), {
    kind: 'cannot_drop_leader',
    message: 'can not drop current master node.',
    errno: 1064,
  });
});
