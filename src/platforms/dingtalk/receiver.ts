// POST /webhook/dingtalk: signature checked, the event stored in the inbox, 200 at once.
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { webhookJson } from '../../lib/webhook-json';
import type { IncomingMessage } from '../../engine/message';
import type { Clock } from '../../lib/clock';
import { SIGNATURE_WINDOW_MS, signatureValid } from './crypto';
import { mapRobotMessage, robotMessageSchema } from './mapping';

// The signature covers the header timestamp, not the body: a body whose own creation time is far
// from that timestamp is a replayed signature with a new body.
export const CREATED_AT_TOLERANCE_MS = 10 * 60_000;

// A signed timestamp from the future beyond a clock's drift is not DingTalk's.
export const FUTURE_SKEW_MS = 5 * 60_000;

export interface DingtalkInbound {
  receive(msg: IncomingMessage): Promise<boolean>;
  /** records that a signed timestamp carried this message (resolves once committed); false when it carried another (a replay) */
  claimSignature(signedAt: number, msgId: string, forgetBefore: number): Promise<boolean>;
}

export function createDingtalkRouter(options: { appSecret: string; inbound: DingtalkInbound; clock: Clock; log: Logger; bodyLimitBytes: number }): Router {
  const { appSecret, inbound, clock, log } = options;
  const router = Router();
  const refuse = (res: Response, status: number, reason: string, unread = false) => {
    log.warn({ status, reason }, 'DingTalk request refused');
    // a body refused unread is not read afterwards either: Node would drain it to keep the connection
    if (unread) res.set('connection', 'close');
    res.status(status).json({ error: reason });
  };
  // the headers are checked before the body is read at all: a forged request costs a hash, not a parse
  const signed = (req: Request, res: Response, next: NextFunction) => {
    const timestamp = req.get('timestamp');
    if (!signatureValid(timestamp, req.get('sign'), appSecret, clock.now())) return refuse(res, 401, 'bad or stale signature', true);
    if (Number(timestamp) - clock.now() > FUTURE_SKEW_MS) return refuse(res, 401, 'signed in the future', true);
    next();
  };
  router.post('/dingtalk', signed, express.raw({ limit: options.bodyLimitBytes, type: () => true }), async (req, res) => {
    const timestamp = Number(req.get('timestamp'));
    // a captured signature is good for an hour: what it carries is bounded before it is parsed
    const parsed = webhookJson(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    if (!parsed.ok) return refuse(res, 400, parsed.reason);
    const body = robotMessageSchema.safeParse(parsed.value);
    if (!body.success) return refuse(res, 400, 'not a robot message');
    if (Math.abs(body.data.createAt - timestamp) > CREATED_AT_TOLERANCE_MS) return refuse(res, 401, 'createAt does not match the signed timestamp');
    // the signature covers the timestamp only: one message per signed timestamp, for as long as it is valid
    if (!(await inbound.claimSignature(timestamp, body.data.msgId, clock.now() - SIGNATURE_WINDOW_MS - FUTURE_SKEW_MS))) return refuse(res, 401, 'signature already used for another message');
    const fresh = await inbound.receive(mapRobotMessage(body.data, clock.now()));
    log.debug({ msg: body.data.msgId, fresh }, 'DingTalk message');
    res.json({});
  });
  return router;
}
