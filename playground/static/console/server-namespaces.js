// The server view's namespaces on screen: for each, its sockets and its rooms with their members.

import { el, nextId } from './dom.js';

/**
 * The blocks for `namespaces` ([[nsp, {sockets, rooms}], ...], see ServerModel), or one line
 * saying `empty` when there are none. `clientName(sid)`: the console client's name or null;
 * `transport(entry)`: the transport to show; `showSidRooms`: show each socket's own room too.
 */
export function namespaceBlocks(namespaces, { showSidRooms, clientName, transport, empty }) {
  const who = (sid, tag) => {
    const name = clientName(sid);
    return [
      el('span', { class: name ? 'sv-client' : 'sv-client sv-other', text: name ?? 'not in this console' }),
      ' ', // read as words, not run together, by screen readers and textContent
      el(tag, { class: 'sv-sid', text: sid }),
    ];
  };
  const byName = (a, b) => (clientName(a.sid) ?? '\uffff').localeCompare(clientName(b.sid) ?? '\uffff');

  const blocks = namespaces.map(([nsp, ns]) => {
    const sockets = [...ns.sockets.values()].sort(byName);
    const socketItems = sockets.map((s) =>
      el('li', { class: 'socket', 'data-sid': s.sid, 'data-client-name': clientName(s.sid) ?? undefined }, [
        ...who(s.sid, 'code'),
        ' ',
        el('span', { class: 'sv-transport', title: 'transport', text: transport(s) }),
      ]),
    );
    const rooms = [...ns.rooms].map(([room, members]) => ({ room, members: [...members], sidRoom: members.has(room) }));
    rooms.sort((a, b) => a.sidRoom - b.sidRoom || a.room.localeCompare(b.room));
    const hiddenSidRooms = rooms.filter((r) => r.sidRoom).length;
    const roomItems = rooms
      .filter((r) => showSidRooms || !r.sidRoom)
      .map((r) =>
        el('li', { class: r.sidRoom ? 'room sid-room' : 'room', 'data-room': r.room }, [
          el('div', { class: 'sv-room-head' }, [
            el('span', { class: 'sv-room-name', text: r.room }),
            ' ',
            el('span', { class: 'sv-count', text: r.sidRoom ? 'own room' : `${r.members.length} member${r.members.length === 1 ? '' : 's'}` }),
          ]),
          el(
            'ul',
            { class: 'members', 'aria-label': `Members of ${r.room}` },
            r.members.map((sid) => el('li', { class: 'member', 'data-sid': sid }, who(sid, 'span'))),
          ),
        ]),
      );
    const n = sockets.length;
    const headingId = nextId('sv-ns');
    return el('section', { class: 'sv-namespace', 'data-namespace': nsp, 'aria-labelledby': headingId }, [
      el('h4', { id: headingId, class: 'sv-namespace-name' }, [
        el('span', { class: 'pg-sr-only', text: 'Namespace ' }),
        el('code', { text: nsp }),
        ' ',
        el('span', { class: 'sv-count', text: `${n} socket${n === 1 ? '' : 's'}` }),
      ]),
      el('div', { class: 'sv-columns' }, [
        el('div', { class: 'sv-column' }, [
          el('h5', { text: 'Sockets' }),
          socketItems.length
            ? el('ul', { class: 'sockets', 'aria-label': `Sockets in ${nsp}` }, socketItems)
            : el('p', { class: 'sv-empty', text: 'No sockets connected.' }),
        ]),
        el('div', { class: 'sv-column' }, [
          el('h5', { text: 'Rooms' }),
          roomItems.length
            ? el('ul', { class: 'rooms', 'aria-label': `Rooms in ${nsp}` }, roomItems)
            : el('p', { class: 'sv-empty', text: hiddenSidRooms ? 'Only the sockets’ own rooms.' : 'No rooms.' }),
        ]),
      ]),
    ]);
  });
  return blocks.length ? blocks : [el('p', { class: 'sv-empty', text: empty })];
}
