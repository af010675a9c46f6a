// Drives a running `charlstm serve` with the official `openai` npm client, as a Node.js app would:
// chat.completions.create (plain and streaming, with usage), completions.create, models.retrieve and models.list.
// Usage: node openai-npm-check.mjs BASE_URL [API_KEY] [MODULE]   (MODULE: the package to import, default "openai")
const [base, key = "none", module = "openai"] = process.argv.slice(2);
const { default: OpenAI } = await import(module);
const client = new OpenAI({ baseURL: base + "/v1", apiKey: key });
const version = (await import(module + "/version.mjs").catch(() => ({ VERSION: "?" }))).VERSION;
const results = [];
async function check(name, f) {
  try {
    const detail = await f();
    results.push(`ok    ${name}: ${detail}`);
  } catch (e) {
    results.push(`FAIL  ${name}: ${e.status ?? ""} ${e.message}`);
  }
}
const messages = [{ role: "system", content: "A tale of the sea." }, { role: "user", content: "Who is Ahab?" }];
let plain;
await check("chat.completions.create", async () => {
  const r = await client.chat.completions.create({ model: "moby-dick-int8", messages, max_tokens: 60, seed: 7 });
  plain = r.choices[0].message.content;
  return JSON.stringify(plain.slice(0, 40)) + `... (${r.usage.completion_tokens} characters)`;
});
await check("chat.completions.create stream", async () => {
  const stream = await client.chat.completions.create({ model: "moby-dick-int8", messages, max_tokens: 60, seed: 7,
    stream: true, stream_options: { include_usage: true } });
  let text = "", usage = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    for (const c of chunk.choices) text += c.delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  if (text !== plain) throw new Error("streamed text differs from the plain answer");
  return `${chunks} chunks, same text, usage ${usage.total_tokens}`;
});
await check("chat.completions.create logprobs", async () => {
  const r = await client.chat.completions.create({ model: "moby-dick-int8", messages, max_tokens: 5, seed: 7,
    logprobs: true, top_logprobs: 2 });
  const lp = r.choices[0].logprobs.content;
  return lp.map(t => `${JSON.stringify(t.token)} ${t.logprob.toFixed(3)}`).join(", ");
});
await check("completions.create", async () => {
  const r = await client.completions.create({ model: "moby-dick-int8", prompt: "Call me Ishmael. ", max_tokens: 40,
    seed: 3 });
  return JSON.stringify(r.choices[0].text);
});
await check("models.retrieve", async () => (await client.models.retrieve("moby-dick-int8")).id);
await check("models.list", async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  return ids.join(",");
});
console.log(`openai npm ${version} against ${base}`);
for (const r of results) console.log(r);
process.exit(results.some(r => r.startsWith("FAIL")) ? 1 : 0);
