// What the server view knows of the server: its namespaces, their sockets and their rooms.

/**
 * Kept up to date from python-socketio's admin feed (see ServerView). A namespace is shown
 * while it has sockets, or while the server lists it in its stats: so the view is the same
 * whether the page has just loaded or has been open for a while.
 */
export class ServerModel {
  #namespaces = new Map(); // nsp -> {sockets: Map<sid, {sid, transport}>, rooms: Map<room, Set<sid>>}
  #listed = new Set(); // the namespaces of the server's latest stats
  #adminNsp;

  constructor(adminNsp) {
    this.#adminNsp = adminNsp;
  }

  /** [[nsp, {sockets, rooms}], ...] to show, "/" first, then by name. */
  namespaces() {
    return [...this.#namespaces]
      .filter(([nsp, ns]) => ns.sockets.size > 0 || this.#listed.has(nsp))
      .sort(([a], [b]) => (a === '/' ? -1 : b === '/' ? 1 : a.localeCompare(b)));
  }

  /** A fresh list of every socket (sent on each admin (re)connection): start over. */
  replaceSockets(sockets) {
    for (const ns of this.#namespaces.values()) {
      ns.sockets.clear();
      ns.rooms.clear();
    }
    for (const s of Array.isArray(sockets) ? sockets : []) this.upsertSocket(s);
  }

  /** A socket as the feed serializes it: {id, nsp, transport, rooms}. */
  upsertSocket(s) {
    if (!s || typeof s.id !== 'string') return;
    const ns = this.#ns(s.nsp, true);
    if (!ns) return;
    const previous = ns.sockets.get(s.id);
    ns.sockets.set(s.id, { sid: s.id, transport: s.transport ?? previous?.transport ?? '' });
    if (!Array.isArray(s.rooms)) return;
    const rooms = new Set(s.rooms.map(String));
    for (const [room, members] of ns.rooms) {
      if (members.has(s.id) && !rooms.has(room)) {
        members.delete(s.id);
        if (members.size === 0) ns.rooms.delete(room);
      }
    }
    for (const room of rooms) {
      if (!ns.rooms.has(room)) ns.rooms.set(room, new Set());
      ns.rooms.get(room).add(s.id);
    }
  }

  forgetSocket(nsp, sid) {
    const ns = this.#ns(nsp);
    if (!ns) return;
    ns.sockets.delete(sid);
    for (const [room, members] of ns.rooms) {
      members.delete(sid);
      if (members.size === 0) ns.rooms.delete(room);
    }
  }

  /** {nsp, id, transport}: a socket changed transport. */
  updateSocket(update) {
    const entry = this.#ns(update?.nsp)?.sockets.get(update?.id);
    if (entry && update.transport) entry.transport = update.transport;
  }

  joinRoom(nsp, room, sid) {
    const ns = this.#ns(nsp, true);
    if (!ns) return;
    const key = String(room);
    if (!ns.rooms.has(key)) ns.rooms.set(key, new Set());
    ns.rooms.get(key).add(sid);
  }

  leaveRoom(nsp, room, sid) {
    const ns = this.#ns(nsp);
    if (!ns) return;
    const key = String(room);
    ns.rooms.get(key)?.delete(sid);
    if (ns.rooms.get(key)?.size === 0) ns.rooms.delete(key);
    // Leaving its own room only happens on the way out; a connection that
    // the connect handler refused gets no socket_disconnected, only this.
    if (key === sid) this.forgetSocket(nsp, sid);
  }

  /** The server's stats: {namespaces: [{name}, ...]}. */
  listNamespaces(stats) {
    this.#listed.clear();
    for (const item of Array.isArray(stats?.namespaces) ? stats.namespaces : []) {
      if (this.#ns(item?.name, true)) this.#listed.add(item.name);
    }
  }

  #ns(nsp, create = false) {
    if (typeof nsp !== 'string' || nsp === this.#adminNsp) return null;
    let ns = this.#namespaces.get(nsp);
    if (!ns && create) {
      ns = { sockets: new Map(), rooms: new Map() };
      this.#namespaces.set(nsp, ns);
    }
    return ns ?? null;
  }
}
