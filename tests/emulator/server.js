// Start telegram-test-api on 127.0.0.1 for dvcbot's end-to-end tests, patched for python-telegram-bot 22.
//
// Usage: node server.js [port]   (or TELEGRAM_EMULATOR_PORT=9000 node server.js); prints one ready line.
// Gaps patched at start-up (telegram-test-api 4.2.1):
//   1. getMe has no `is_bot` (PTB's User needs it);
//   2. messages the bot sends come back with `date` in milliseconds instead of seconds;
//   3. callback queries in getUpdates lose `chat_instance` (PTB's CallbackQuery needs it);
//   4. webhook calls lack the X-Telegram-Bot-Api-Secret-Token header that Telegram sends when setWebhook
//      was given a `secret_token` (and the emulator throws on a refused call instead of dropping it);
//   5. editMessageText / editMessageReplyMarkup without `reply_markup` keep the old keyboard (Telegram
//      removes it), and answer `null` where Telegram answers the message or `true`;
//   6. getUpdates answers at once even with a `timeout`: it now waits, as Telegram's long polling does, up to
//      `timeout` seconds (at most 10) for an update, so a polling bot does not spin.
// Added for `dvcbot bench load --via telegram`: POST /dvcbotBotMessages {token, timeout?} answers every bot
// message of that bot not read yet, in all chats (one poll for many simulated users), and marks them read; with
// `timeout` (seconds, at most 10) it waits that long for one when there is none, so the bench does not spin.
//
// Fault injection (tests only): POST /dvcbotFaults with JSON
//   {method, token?, count?, status?, retry_after?, delay_ms?}   or   {clear: true}
// makes the next `count` (default 1) calls of Bot API `method` (e.g. "sendMessage"), of the bot `token` when
// given (of any bot otherwise), fail without being carried out:
//   - `status` 429 with `retry_after` (seconds): {ok: false, error_code: 429, parameters: {retry_after}};
//   - another `status` (e.g. 500, 502): {ok: false, error_code: status, description: "..."};
//   - `delay_ms`: the call is held that long, then answered 504 (a client with a shorter timeout sees a
//     timeout; the message is not sent). `delay_ms` may be combined with `status`.
// Faults queue per method in the order they were posted; the route answers {ok: true, pending: n}.
'use strict';

const axios = require('axios');
const TelegramServer = require('telegram-test-api');
const { routes } = require('telegram-test-api/lib/routes/index');
const { getMe } = require('telegram-test-api/lib/routes/bot/getMe');
const { getUpdates } = require('telegram-test-api/lib/routes/bot/getUpdates');
const { handle } = require('telegram-test-api/lib/routes/bot/utils');

const faults = [];

function faultRoute(app) {
  app.post('/dvcbotFaults', (req, res) => {
    const body = req.body || {};
    if (body.clear) {
      faults.length = 0;
    } else {
      faults.push({ ...body, count: Number(body.count || 1) });
    }
    res.json({ ok: true, pending: faults.length });
  });
  app.all('/bot:token/:method', (req, res, next) => {
    const fault = faults.find((f) => f.method === req.params.method && (!f.token || f.token === req.params.token));
    if (!fault) {
      next();
      return;
    }
    fault.count -= 1;
    if (fault.count <= 0) {
      faults.splice(faults.indexOf(fault), 1);
    }
    const status = Number(fault.status || (fault.delay_ms ? 504 : 500));
    const body = { ok: false, error_code: status, description: status === 429
      ? `Too Many Requests: retry after ${fault.retry_after}` : `Injected fault ${status}` };
    if (status === 429) {
      body.parameters = { retry_after: Number(fault.retry_after || 1) };
    }
    setTimeout(() => res.status(status).json(body), Number(fault.delay_ms || 0));
  });
}
routes.unshift(faultRoute);

const BOT = { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' };

routes[routes.indexOf(getMe)] = (app) => {
  handle(app, '/bot:token/getMe', (_req, res) => res.sendResult({ ok: true, result: BOT }));
};

// bench readers waiting in /dvcbotBotMessages, and each bot's messages not read there yet (no scan of storage)
const benchReaders = new Set();
const unreadByToken = new Map();

const addBotMessage = TelegramServer.prototype.addBotMessage;
TelegramServer.prototype.addBotMessage = function addBotMessageInSeconds(...args) {
  const message = addBotMessage.apply(this, args);
  const stored = this.storage.botMessages[this.storage.botMessages.length - 1];
  if (!unreadByToken.has(stored.botToken)) {
    unreadByToken.set(stored.botToken, []);
  }
  unreadByToken.get(stored.botToken).push(stored);
  for (const wake of benchReaders) {
    wake();
  }
  benchReaders.clear();
  return { ...message, date: Math.floor(message.date / 1000), from: BOT };
};

const formatUpdate = TelegramServer.formatUpdate;
TelegramServer.formatUpdate = (update) => {
  const formatted = formatUpdate(update);
  if (formatted.callback_query) {
    const { chat_instance: chatInstance, message } = update.callbackQuery;
    formatted.callback_query.chat_instance = String(chatInstance || (message && message.chat.id) || '0');
  }
  return formatted;
};

// long polling: bots waiting in getUpdates, woken when a user update arrives
const pollers = new Set();
function wakePollers() {
  for (const wake of pollers) {
    wake();
  }
  pollers.clear();
}

routes[routes.indexOf(getUpdates)] = (app, telegramServer) => {
  handle(app, '/bot:token/getUpdates', async (req, res) => {
    const token = req.params.token;
    const asked = Number((req.body && req.body.timeout) || (req.query && req.query.timeout) || 0);
    const deadline = Date.now() + Math.min(Math.max(asked, 0), 10) * 1000;
    // a poller that went away (a bot killed mid-poll) must not take updates: Telegram keeps them for the next
    // getUpdates, and telegram-test-api marks what it hands out as delivered
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    let result = telegramServer.getUpdates(token);
    while (!result.length && Date.now() < deadline) {
      await new Promise((resolve) => {
        pollers.add(resolve);
        setTimeout(resolve, deadline - Date.now());
      });
      if (gone) {
        return;
      }
      result = telegramServer.getUpdates(token);
    }
    res.sendResult({ ok: true, result });
  });
};

function benchRoute(app, telegramServer) {
  app.post('/dvcbotBotMessages', async (req, res) => {
    const token = (req.body || {}).token;
    const deadline = Date.now() + Math.min(Math.max(Number((req.body || {}).timeout) || 0, 0), 10) * 1000;
    const take = () => {
      const messages = (unreadByToken.get(token) || []).filter((u) => !u.isRead);
      unreadByToken.set(token, []);
      messages.forEach((u) => {
        u.isRead = true;
      });
      return messages;
    };
    let messages = take();
    while (!messages.length && Date.now() < deadline) {
      await new Promise((resolve) => {
        benchReaders.add(resolve);
        setTimeout(resolve, deadline - Date.now());
      });
      messages = take();
    }
    res.json({ ok: true, result: messages });
  });
}
routes.unshift(benchRoute);

const addUserUpdate = TelegramServer.prototype.addUserUpdate;
TelegramServer.prototype.addUserUpdate = async function addUserUpdateWithSecret(update) {
  const webhook = this.webhooks[update.botToken];
  if (!webhook) {
    const added = await addUserUpdate.call(this, update);
    wakePollers();
    return added;
  }
  const headers = webhook.secret_token ? { 'X-Telegram-Bot-Api-Secret-Token': webhook.secret_token } : {};
  const resp = await axios({
    url: webhook.url, method: 'POST', data: TelegramServer.formatUpdate(update), headers,
    validateStatus: () => true,
  });
  if (resp.status > 204) {
    console.log(`webhook ${webhook.url} answered ${resp.status}`);
  }
  this.updateId++;
  return undefined;
};

const { handle: handleRoute } = require('telegram-test-api/lib/routes/bot/utils');

function editBotMessage(server, rawMessage) {
  const message = TelegramServer.normalizeMessage(rawMessage);
  const update = server.storage.botMessages.find((u) => (String(u.messageId) === String(message.message_id)
    && String(u.message.chat_id) === String(message.chat_id)));
  if (!update) {
    return false;
  }
  const edited = { ...update.message, ...message };
  if (!message.reply_markup) {
    delete edited.reply_markup;
  }
  update.message = edited;
  return true;
}

for (const method of ['editMessageText', 'editMessageReplyMarkup']) {
  const original = routes.find((route) => route.name === method);
  routes[routes.indexOf(original)] = (app, telegramServer) => {
    handleRoute(app, `/bot:token/${method}`, (req, res) => {
      const found = editBotMessage(telegramServer, req.body);
      if (found) {
        res.sendResult({ ok: true, result: true });
      } else {
        res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
      }
    });
  };
}

const port = Number(process.argv[2] || process.env.TELEGRAM_EMULATOR_PORT || 9000);
const server = new TelegramServer({ host: '127.0.0.1', port, storeTimeout: 600 });

server.start().then(() => {
  console.log(`telegram-test-api ready on ${server.config.apiURL}`);
});

// http-shutdown waits for idle keep-alive sockets; do not let that hold the test run.
const stop = () => {
  setTimeout(() => process.exit(0), 200).unref();
  server.stop().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
