/**
 * A refusal the user should read: the request changes nothing and the message (Chinese) is the reply.
 * `forget` asks the engine to keep nothing of the request (涉密 content must not be stored anywhere).
 */
export class UserError extends Error {
  readonly forget: boolean;
  constructor(message: string, options: { forget?: boolean } = {}) {
    super(message);
    this.name = 'UserError';
    this.forget = options.forget ?? false;
  }
}
