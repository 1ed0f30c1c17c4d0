// POST /webhook/dingtalk: signature checked, the event stored in the inbox, 200 at once.
import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { IncomingMessage } from '../../engine/message';
import type { Clock } from '../../lib/clock';
import { signatureValid } from './crypto';
import { mapRobotMessage, robotMessageSchema } from './mapping';

// The signature covers the header timestamp, not the body: a body whose own creation time is far
// from that timestamp is a replayed signature with a new body.
export const CREATED_AT_TOLERANCE_MS = 10 * 60_000;

export function createDingtalkRouter(options: { appSecret: string; receive: (msg: IncomingMessage) => Promise<boolean>; clock: Clock; log: Logger; bodyLimitBytes: number }): Router {
  const { appSecret, receive, clock, log } = options;
  const router = Router();
  router.post('/dingtalk', express.json({ limit: options.bodyLimitBytes, type: () => true }), async (req, res) => {
    const timestamp = req.get('timestamp');
    const refuse = (status: number, reason: string) => {
      log.warn({ status, reason }, 'DingTalk request refused');
      res.status(status).json({ error: reason });
    };
    if (!signatureValid(timestamp, req.get('sign'), appSecret, clock.now())) return refuse(401, 'bad or stale signature');
    const body = robotMessageSchema.safeParse(req.body);
    if (!body.success) return refuse(400, 'not a robot message');
    if (Math.abs(body.data.createAt - Number(timestamp)) > CREATED_AT_TOLERANCE_MS) return refuse(401, 'createAt does not match the signed timestamp');
    const fresh = await receive(mapRobotMessage(body.data, clock.now()));
    log.debug({ msg: body.data.msgId, fresh }, 'DingTalk message');
    res.json({});
  });
  return router;
}
