/**
 * An OpenAI-compatible HTTP server over the runtime SDK: completions and chat completions (JSON or Server-Sent
 * Events), models, sessions, logprobs, an API key, CORS, Prometheus metrics and a playground page.
 *
 * <p>The API is {@link dev.charlstm.server.CharLstmServer} (start, serve, close), its
 * {@link dev.charlstm.server.ServerOptions} and the {@link dev.charlstm.server.ChatTemplate} that turns chat messages
 * into a prompt; every other class is package-private. Each job has its class: the routes' handlers
 * ({@code Routes}), who generates when ({@code Admission}), one request's generation and answer
 * ({@code CompletionJob}), reading requests ({@code CompletionRequest}), the JSON shapes ({@code Responses},
 * {@code SseWriter}), access ({@code AccessControl}), metrics ({@code ServerMetrics}) and sessions ({@code Sessions}).
 */
package dev.charlstm.server;
