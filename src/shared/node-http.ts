/**
 * node:http without undici. Imported as an ES module, node:http has each of its exports read once (Node builds the
 * module's namespace from them), and three of them (WebSocket, CloseEvent, MessageEvent) are lazy getters that
 * load undici, Node's fetch: its 0.8 MB source, compiled, kept for the process's life, for nothing the appliance
 * uses. process.getBuiltinModule hands over the CommonJS module itself, whose getters nobody reads.
 * Import http from here, never from 'node:http' (types only from there).
 */
export const http = process.getBuiltinModule('node:http');
