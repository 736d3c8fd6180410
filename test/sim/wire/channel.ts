/**
 * The link between a simulated node process and the world coordinator: JSON lines over one
 * long-lived TCP connection, with request/response correlation in both directions. The socket
 * closing is how the world learns at once that a process died.
 */
import type { Socket } from 'node:net';

/** A JSON object message. */
export type Message = Record<string, unknown> & { t: string };

/** Handler of requests from the other side; its return value is the response body. */
export type RequestHandler = (message: Message) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** One end of the link. */
export class Channel {
  readonly socket: Socket;
  #nextId = 1;
  #pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  #buffer = '';
  #onRequest: RequestHandler | undefined;
  #onPush: ((m: Message) => void) | undefined;
  closed = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.#pending.values()) p.reject(new Error('channel closed'));
      this.#pending.clear();
    });
  }

  /** Answer requests (`t: 'req'`) with this handler. */
  onRequest(handler: RequestHandler): void {
    this.#onRequest = handler;
  }

  /** Receive one-way messages (anything that is neither a request nor a response). */
  onPush(handler: (m: Message) => void): void {
    this.#onPush = handler;
  }

  /** Send a request and wait for its response. */
  request(op: string, body: Record<string, unknown> = {}): Promise<Message> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new Error('channel closed'));
        return;
      }
      this.#pending.set(id, { resolve, reject });
      this.send({ ...body, t: 'req', op, id });
    });
  }

  /** Send a one-way message. */
  send(message: Message): void {
    if (this.closed) return;
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  close(): void {
    this.socket.destroy();
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let newline = this.#buffer.indexOf('\n');
    while (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 1);
      newline = this.#buffer.indexOf('\n');
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Message).t !== 'string') continue;
      this.#dispatch(parsed as Message);
    }
  }

  #dispatch(message: Message): void {
    if (message.t === 'res') {
      const id = message.id as number;
      const pending = this.#pending.get(id);
      if (pending !== undefined) {
        this.#pending.delete(id);
        pending.resolve(message);
      }
      return;
    }
    if (message.t === 'req') {
      const handler = this.#onRequest;
      const id = message.id;
      if (handler === undefined) {
        this.send({ t: 'res', id, error: 'no handler' });
        return;
      }
      Promise.resolve()
        .then(() => handler(message))
        .then(
          (body) => this.send({ ...body, t: 'res', id }),
          (error: unknown) => this.send({ t: 'res', id, error: error instanceof Error ? error.message : String(error) }),
        );
      return;
    }
    this.#onPush?.(message);
  }
}

/** Parse `host:port` (IPv4 or name). */
export function parseEndpoint(raw: string): { host: string; port: number } | undefined {
  const match = /^(.+):(\d{1,5})$/.exec(raw.trim());
  if (match === null) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] as string, port };
}
