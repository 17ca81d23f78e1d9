// Screenshots of the login and choose pages for docs/screenshot.png, through headless Chromium's
// DevTools protocol (no npm packages). Needs Node >= 20 and Chromium, and a server in demo mode:
//   PORT=8123 make run &   node --experimental-websocket scripts/screenshot.mjs http://127.0.0.1:8123
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const base = (process.argv[2] || "http://127.0.0.1:8000").replace(/\/$/, "");
const out = process.argv[3] || "docs/screenshot.png";
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
const [width, height] = [420, 860];

const profile = mkdtempSync(join(tmpdir(), "p42-shot-"));
const browser = spawn(chromium, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
  "--lang=ko-KR", "--accept-lang=ko-KR,ko", `--user-data-dir=${profile}`,
  "--remote-debugging-port=0", "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });

const wsUrl = await new Promise((resolve, reject) => {
  let seen = "";
  browser.stderr.on("data", (chunk) => {
    seen += chunk;
    const match = seen.match(/DevTools listening on (ws:\/\/\S+)/);
    if (match) resolve(match[1]);
  });
  browser.on("exit", () => reject(new Error(`chromium exited:\n${seen}`)));
});

const ws = new WebSocket(wsUrl);
await new Promise((resolve) => ws.addEventListener("open", resolve));
let nextId = 0;
const pending = new Map();
const waiters = [];
ws.addEventListener("message", ({ data }) => {
  const msg = JSON.parse(data);
  if (msg.id && pending.has(msg.id)) {
    const { resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
  } else if (msg.method) {
    for (const w of waiters.filter((w) => w.method === msg.method)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(msg.params);
    }
  }
});
const send = (method, params = {}, sessionId) =>
  new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params, sessionId }));
  });
const next = (method) => new Promise((resolve) => waiters.push({ method, resolve }));

const { targetId } = await send("Target.createTarget", { url: "about:blank" });
const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true });
const page = (method, params) => send(method, params, sessionId);
await page("Page.enable");
const viewport = (w, h) =>
  page("Emulation.setDeviceMetricsOverride", { width: w, height: h, deviceScaleFactor: 1, mobile: w < 600 });

async function load(action) {
  const loaded = next("Page.loadEventFired");
  await action();
  await loaded;
  await page("Runtime.evaluate", { expression: "document.fonts.ready", awaitPromise: true });
}
const shot = async () => (await page("Page.captureScreenshot", { format: "png" })).data;

await viewport(width, height);
await load(() => page("Page.navigate", { url: `${base}/` }));
const login = await shot();
await load(() =>
  page("Runtime.evaluate", { expression: "document.querySelector('.demo__student').click()" }),
);
const choose = await shot();

// Both phone screens side by side on one small image.
const gap = 24;
const html = `<!doctype html><html><body style="margin:0;background:#d9dee5;display:flex;gap:${gap}px;padding:${gap}px">
  <img src="data:image/png;base64,${login}" width="${width}" height="${height}" style="border-radius:18px;box-shadow:0 6px 24px rgba(0,0,0,.18)">
  <img src="data:image/png;base64,${choose}" width="${width}" height="${height}" style="border-radius:18px;box-shadow:0 6px 24px rgba(0,0,0,.18)">
</body></html>`;
await viewport(width * 2 + gap * 3, height + gap * 2);
await load(() => page("Page.navigate", { url: `data:text/html;base64,${Buffer.from(html).toString("base64")}` }));
writeFileSync(out, Buffer.from(await shot(), "base64"));
console.log(`wrote ${out}`);

ws.close();
await new Promise((resolve) => {
  browser.on("exit", resolve);
  browser.kill();
});
rmSync(profile, { recursive: true, force: true });
