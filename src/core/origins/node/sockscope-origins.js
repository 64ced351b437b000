// SockScope's Node.js socket-origins recorder, loaded with `node --require` through NODE_OPTIONS by
// `sockscope run` (src/core/origins/inject.ts). Plain CommonJS with no dependencies: it runs inside the
// user's program, before its main module.
//
// It records where a TCP, UDP or pipe handle gets its descriptor:
//   client sockets  net.Socket#connect (net.connect, http, tls…): the stack of the connect call; the
//                   descriptor appears when the handle's connect runs (after a DNS lookup if any)
//   servers         net.Server#listen: the stack of the listen call, for the listening descriptor and
//                   for every connection the server accepts (Node accepts in its own code)
//   UDP             dgram.Socket#bind (also the implicit bind of a first send)
// and every handle close (HandleWrap#close, through which Node closes all of them), so that a reused
// descriptor is never attributed to an old stack. The stack is captured with a small
// Error.stackTraceLimit and left unformatted; its call sites are read when the batch it belongs to is
// written (every ~10 ms), all of the batch at once, to a key of file names and character offsets (a line
// and column lookup for each frame cost more than the rest). Frames in Node's own code (node:*) and in this file
// are left out, so frame 0 is the innermost frame of the program. A new site is formatted (and mapped
// through its source map: module.findSourceMap when the program runs with --enable-source-maps, else
// the file's own sourceMappingURL) once. A socket still open when its batch is written gets an fstat
// (the inode) and a line; one opened and closed within the batch is only counted for its site.
//
// Output: <records dir>/<pid>.stream, the line format read by src/core/origins/streamFile.ts (keep in
// step), written in batches (at most ~10 ms late, at exit at once) and rewritten compactly past its cap
// ($SOCKSCOPE_ORIGINS_LOG_BYTES, 4 MiB), so its size stays bounded while per-site counts are kept.
// The records dir is the native recorder's: $SOCKSCOPE_ORIGINS_DIR, $XDG_RUNTIME_DIR/sockscope or
// /tmp/sockscope-<uid>, mode 0700, refused if anyone else could read it. Main thread only.
'use strict';

(function sockscopeOrigins() {
  const MARK = Symbol.for('sockscope.origins.recorder');
  if (process.platform !== 'linux' || globalThis[MARK]) return;
  globalThis[MARK] = true;
  const { isMainThread } = require('worker_threads');
  if (!isMainThread) return;

  const fs = require('fs');
  const path = require('path');
  const net = require('net');
  const dgram = require('dgram');
  const url = require('url');
  const Module = require('module');

  const MAX_SITES = 4096;
  const MAX_FRAMES = 8;
  const STACK_LIMIT = 10;
  const CAP = Number(process.env.SOCKSCOPE_ORIGINS_LOG_BYTES) > 0 ? Number(process.env.SOCKSCOPE_ORIGINS_LOG_BYTES) : 4 << 20;
  const SELF = __filename;

  function warn(message) {
    try { process.stderr.write(`sockscope-origins: ${message}; origins not recorded\n`); } catch { /* no stderr */ }
  }

  function recordsDir() {
    const env = process.env;
    if (env.SOCKSCOPE_ORIGINS_DIR) return env.SOCKSCOPE_ORIGINS_DIR;
    if (env.XDG_RUNTIME_DIR && env.XDG_RUNTIME_DIR.startsWith('/')) return path.join(env.XDG_RUNTIME_DIR, 'sockscope');
    return `/tmp/sockscope-${process.geteuid()}`;
  }

  function startTicks() {
    try {
      const stat = fs.readFileSync('/proc/self/stat', 'latin1');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] || '';
    } catch {
      return '';
    }
  }

  // Why the folder may not be used, or undefined: in the words of src/core/origins/recordsDir.ts's
  // recordsDirProblem (keep the four recorders and the reader in step).
  function dirProblem(st, me) {
    const facts = `owner uid ${st.uid}, mode 0${(st.mode & 0o777).toString(8).padStart(3, '0')}`;
    const what = st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? undefined : 'not a directory';
    if (what) return `${dir} is ${what} (${facts}); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
    if (st.uid !== me) return `${dir} belongs to another user (${facts}; you are uid ${me}); set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
    if ((st.mode & 0o077) !== 0) return `${dir} may be read or written by others (${facts}); run \`chmod 700 ${dir}\`, or set SOCKSCOPE_ORIGINS_DIR to a folder of your own`;
    return undefined;
  }

  const dir = recordsDir();
  try {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const problem = dirProblem(fs.lstatSync(dir), process.geteuid());
    if (problem) {
      warn(`refusing the origins folder: ${problem}`);
      return;
    }
  } catch (e) {
    warn(`cannot use ${dir}: ${e.message}`);
    return;
  }

  const file = path.join(dir, `${process.pid}.stream`);
  const header = `SSSTREAM\t1\tnode\t${process.pid}\t${startTicks()}\n`;
  let out;
  try {
    out = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW, 0o600);
    fs.writeSync(out, header);
  } catch (e) {
    warn(`cannot write ${file}: ${e.message}`);
    return;
  }

  // State: sites by key, their formatted lines, per-site counts, and the live descriptors.
  const siteIds = new Map();
  const siteLines = [];
  const opens = [];
  const closes = [];
  const live = new Map(); // fd -> { inode (once written), ref (its stack, then site id), time }
  let sitesDropped = 0;
  let pending = [];
  let written = header.length;
  let timer;
  let stopped = false;

  // The recorder failed (its file could not be written or rewritten: disk full, permissions…): it
  // stops for good, says so once, and the program goes on; the wrappers then only call the originals.
  function stop(e) {
    if (stopped) return;
    stopped = true;
    pending = [];
    live.clear();
    try { fs.closeSync(out); } catch { /* already gone */ }
    warn(`recording stopped: ${e && e.message ? e.message : e}`);
  }

  // pending holds opens [1, fd, ref, time] and closes [2, fd, ref] in order, where ref is a captured
  // stack whose site id is looked up here, for the whole batch at once (reading a stack's call sites
  // costs more than capturing it, and much less in a tight loop than one at a time). A socket opened and
  // closed again within one batch becomes counts only (an N line): no line and no fstat for it. The
  // others get their inode now (the descriptor is still theirs: its close would be in the batch).
  function flush() {
    timer = undefined;
    if (stopped || pending.length === 0) return;
    try {
      write();
    } catch (e) {
      stop(e);
    }
  }

  function write() {
    const items = pending;
    pending = [];
    let text = resolveSites(items);
    for (const it of items) {
      const id = it[2].id;
      if (id >= 0) (it[0] === 1 ? opens : closes)[id]++;
    }
    const openAt = new Map();
    const dropped = new Uint8Array(items.length);
    const brief = new Map();
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it[0] === 1) { openAt.set(it[1], i); continue; }
      const j = openAt.get(it[1]);
      if (j === undefined) continue;
      openAt.delete(it[1]);
      dropped[i] = 1;
      dropped[j] = 1;
      if (it[2].id >= 0) brief.set(it[2].id, (brief.get(it[2].id) || 0) + 1);
    }
    for (let i = 0; i < items.length; i++) {
      if (dropped[i]) continue;
      const it = items[i];
      if (it[0] === 2) text += `C\t${it[1]}\t${it[2].id}\n`;
      else {
        const r = live.get(it[1]);
        let inode;
        try { inode = fs.fstatSync(it[1]).ino; } catch { inode = undefined; }
        if (inode === undefined || !r) { if (r) live.delete(it[1]); continue; }
        r.inode = inode;
        text += `O\t${it[1]}\t${inode}\t${it[2].id}\t${it[3]}\t${process.pid}\n`;
      }
    }
    for (const [site, n] of brief) text += `N\t${site}\t${n}\t${n}\n`;
    fs.writeSync(out, text);
    written += Buffer.byteLength(text);
    if (written > capNow) compact();
  }

  function emit(item) {
    if (stopped) return;
    pending.push(item);
    if (pending.length >= 4096) flush();
    else if (!timer) {
      timer = setTimeout(flush, 10);
      timer.unref();
    }
  }

  // The file again from the state: sites, counts of what is no longer live, the live descriptors.
  function compact() {
    const lines = [header, ...siteLines];
    const liveBySite = new Map();
    for (const r of live.values()) if (r.inode !== undefined) liveBySite.set(r.ref.id, (liveBySite.get(r.ref.id) || 0) + 1);
    for (let id = 0; id < siteLines.length; id++) lines.push(`N\t${id}\t${opens[id] - (liveBySite.get(id) || 0)}\t${closes[id]}\n`);
    if (sitesDropped) lines.push(`D\t${sitesDropped}\n`);
    for (const [fd, r] of live) if (r.inode !== undefined) lines.push(`O\t${fd}\t${r.inode}\t${r.ref.id}\t${r.time}\t${process.pid}\n`);
    const text = lines.join('');
    const tmp = `${file}.tmp`;
    // The new file is opened and written whole before the old one is let go: a failure on the way
    // (thrown to flush, which stops recording) leaves the old descriptor as it was.
    let next;
    try {
      next = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND | fs.constants.O_NOFOLLOW, 0o600);
      fs.writeSync(next, text);
      fs.renameSync(tmp, file);
    } catch (e) {
      if (next !== undefined) {
        try { fs.closeSync(next); } catch { /* nothing to do */ }
        try { fs.unlinkSync(tmp); } catch { /* nothing to do */ }
      }
      throw e;
    }
    const old = out;
    out = next;
    try { fs.closeSync(old); } catch { /* nothing to do */ }
    written = Buffer.byteLength(text);
    // A file that stays large because that many sockets are live gets room to grow before the next rewrite.
    capNow = Math.max(CAP, 2 * written);
  }
  let capNow = CAP;

  process.on('exit', flush);

  // --- stacks ---------------------------------------------------------------------------------

  const rawCallSites = (_error, callSites) => callSites;
  const isRuntime = (name) => !name || name.startsWith('node:') || name === SELF || !(name.startsWith('/') || name.startsWith('file:'));

  const NO_SITE = { id: -1 };

  /** The current stack (program frames only, found later by resolveSites), cheap to take: V8 keeps it unformatted. */
  function captureSite(skip) {
    const limit = Error.stackTraceLimit;
    // A bare object: V8 gives it its `stack` accessor (a `stack` data property there already would
    // have to be redefined, which costs more). Its site id is set when the batch is written.
    const holder = {};
    try {
      Error.stackTraceLimit = STACK_LIMIT;
      Error.captureStackTrace(holder, skip);
    } finally {
      Error.stackTraceLimit = limit;
    }
    return holder;
  }

  /** Gives each captured stack of a batch its site id (-1: no program frame, or the table is full); the S lines of new sites. */
  function resolveSites(items) {
    let text = '';
    const prepare = Error.prepareStackTrace;
    try {
      Error.prepareStackTrace = rawCallSites;
      for (const it of items) {
        const ref = it[2];
        if (ref.id !== undefined) continue;
        const line = resolveSite(ref);
        if (line) text += line;
      }
    } finally {
      Error.prepareStackTrace = prepare;
    }
    return text;
  }

  // A call site's place in its script for the key: its character offset where V8 gives it (a lookup of
  // the line and column costs more than the rest of the key; they are read only for a new site), else
  // line and column.
  const positionOf = typeof Error.captureStackTrace === 'function' && callSitePosition()
    ? (c) => c.getPosition()
    : (c) => `${c.getLineNumber()}:${c.getColumnNumber()}`;
  function callSitePosition() {
    const prepare = Error.prepareStackTrace;
    try {
      Error.prepareStackTrace = rawCallSites;
      const holder = {};
      Error.captureStackTrace(holder);
      const c = Array.isArray(holder.stack) ? holder.stack[0] : undefined;
      return !!c && typeof c.getPosition === 'function' && Number.isInteger(c.getPosition());
    } catch {
      return false;
    } finally {
      Error.prepareStackTrace = prepare;
    }
  }

  function resolveSite(ref) {
    const callSites = ref.stack;
    ref.stack = undefined;
    ref.id = -1;
    if (!Array.isArray(callSites)) return '';
    const program = [];
    let key = '';
    for (const c of callSites) {
      const name = c.getFileName();
      if (isRuntime(name)) continue;
      program.push(c);
      key += `${name}:${positionOf(c)}\n`;
      if (program.length === MAX_FRAMES) break;
    }
    if (program.length === 0) return '';
    const known = siteIds.get(key);
    if (known !== undefined) { ref.id = known; return ''; }
    if (siteLines.length >= MAX_SITES) { sitesDropped++; return ''; }
    const id = siteLines.length;
    siteIds.set(key, id);
    const frames = program.map((c) => frameOf(c, c.getFileName(), c.getLineNumber(), c.getColumnNumber()));
    siteLines.push(`S\t${id}\t${JSON.stringify(frames)}\n`);
    opens.push(0);
    closes.push(0);
    ref.id = id;
    return siteLines[id];
  }

  function functionName(c) {
    const fn = c.getFunctionName();
    const type = c.getTypeName();
    const method = c.getMethodName();
    if (fn) return type && !fn.includes('.') && type !== 'Object' && type !== 'global' ? `${type}.${fn}` : fn;
    if (method) return type ? `${type}.${method}` : method;
    return '<anonymous>';
  }

  function frameOf(c, name, line, column) {
    const fileName = name.startsWith('file:') ? url.fileURLToPath(name) : name;
    const mapped = mapPosition(fileName, line, column);
    return mapped ? [mapped.file, mapped.line, functionName(c)] : [fileName, line, functionName(c)];
  }

  // --- source maps --------------------------------------------------------------------------------

  const ownMaps = new Map(); // file -> { map, dir } | null
  function sourceMapOf(fileName) {
    if (typeof Module.findSourceMap === 'function') {
      const m = Module.findSourceMap(fileName) || Module.findSourceMap(url.pathToFileURL(fileName).href);
      if (m) return { map: m, base: undefined };
    }
    if (ownMaps.has(fileName)) return ownMaps.get(fileName);
    let result = null;
    try {
      const text = fs.readFileSync(fileName, 'utf8');
      const at = text.lastIndexOf('sourceMappingURL=');
      if (at >= 0 && typeof Module.SourceMap === 'function') {
        const ref = text.slice(at + 'sourceMappingURL='.length).split(/\s/)[0];
        let payload;
        let base = path.dirname(fileName);
        if (ref.startsWith('data:')) {
          const comma = ref.indexOf(',');
          const data = ref.slice(comma + 1);
          payload = JSON.parse(ref.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data));
        } else {
          const mapFile = path.resolve(base, ref.startsWith('file:') ? url.fileURLToPath(ref) : ref);
          payload = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
          base = path.dirname(mapFile);
        }
        result = { map: new Module.SourceMap(payload), base: path.resolve(base, payload.sourceRoot || '') };
      }
    } catch { result = null; }
    ownMaps.set(fileName, result);
    return result;
  }

  function mapPosition(fileName, line, column) {
    const sm = sourceMapOf(fileName);
    if (!sm) return undefined;
    const e = sm.map.findEntry(line - 1, column - 1);
    if (!e || e.originalSource === undefined || e.originalLine === undefined) return undefined;
    let source = e.originalSource;
    if (source.startsWith('file:')) source = url.fileURLToPath(source);
    else if (sm.base !== undefined) source = path.resolve(sm.base, source);
    return { file: source, line: e.originalLine + 1 };
  }

  // --- events ---------------------------------------------------------------------------------------

  function opened(fd, ref) {
    if (stopped || !(fd >= 0)) return;
    const time = Date.now();
    live.set(fd, { inode: undefined, ref, time });
    emit([1, fd, ref, time]);
  }

  function closing(fd) {
    if (stopped) return;
    const r = live.get(fd);
    if (!r) return;
    live.delete(fd);
    emit([2, fd, r.ref]);
  }

  const kSite = Symbol('sockscope.site');
  const patched = new WeakSet();

  // The handle prototypes (TCP, Pipe, UDP and their HandleWrap base) are internal: patched the first
  // time one of their handles is seen, before any of its descriptors can be closed.
  function patchHandle(handle) {
    if (!handle || typeof handle !== 'object') return;
    const proto = Object.getPrototypeOf(handle);
    if (!proto || patched.has(proto)) return;
    patched.add(proto);
    for (const name of ['connect', 'connect6', 'bind', 'bind6']) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      proto[name] = function sockscopeHandleCall(...args) {
        const result = original.apply(this, args);
        try {
          const site = this[kSite];
          if (site !== undefined) {
            const fd = this.fd;
            if (fd >= 0) { this[kSite] = undefined; opened(fd, site); }
          }
        } catch (e) { stop(e); }
        return result;
      };
    }
    let base = proto;
    while (base && !Object.prototype.hasOwnProperty.call(base, 'close')) base = Object.getPrototypeOf(base);
    if (base && !patched.has(base)) {
      patched.add(base);
      base.close = closingFirst(base.close);
    }
    // TCP#reset (Socket#resetAndDestroy) closes the handle with a RST without going through close.
    if (typeof proto.reset === 'function' && Object.prototype.hasOwnProperty.call(proto, 'reset')) proto.reset = closingFirst(proto.reset);
  }

  /** A handle method that closes its descriptor, recording the close first. */
  function closingFirst(original) {
    return function sockscopeHandleClose(...args) {
      try {
        const fd = this.fd;
        if (typeof fd === 'number' && fd >= 0) closing(fd);
      } catch (e) { stop(e); }
      return original.apply(this, args);
    };
  }

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect_(...args) {
    if (stopped) return connect.apply(this, args);
    let site;
    try { site = captureSite(connect_); } catch (e) { stop(e); }
    const result = connect.apply(this, args);
    if (stopped) return result;
    try {
      const handle = this._handle;
      if (handle) {
        patchHandle(handle);
        const fd = handle.fd;
        if (fd >= 0 && !live.has(fd)) opened(fd, site);
        else if (!(fd >= 0)) handle[kSite] = site;
      }
    } catch (e) { stop(e); }
    return result;
  };

  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listen_(...args) {
    if (stopped) return listen.apply(this, args);
    let site = NO_SITE;
    try { site = captureSite(listen_); } catch (e) { stop(e); }
    this[kSite] = site;
    const result = listen.apply(this, args);
    const record = () => {
      try {
        const handle = this._handle;
        if (!handle) return;
        patchHandle(handle);
        if (handle.fd >= 0 && !live.has(handle.fd)) opened(handle.fd, site);
      } catch (e) { stop(e); }
    };
    if (this._handle && this._handle.fd >= 0) record();
    else if (!stopped) this.prependOnceListener('listening', record);
    return result;
  };

  const serverEmit = net.Server.prototype.emit;
  net.Server.prototype.emit = function emit_(event, socket, ...rest) {
    if (event === 'connection' && !stopped && socket && socket._handle) {
      try {
        patchHandle(socket._handle);
        opened(socket._handle.fd, this[kSite] === undefined ? NO_SITE : this[kSite]);
      } catch (e) { stop(e); }
    }
    return serverEmit.call(this, event, socket, ...rest);
  };

  const stateOf = (socket) => {
    const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
    return key ? socket[key] : undefined;
  };
  const bind = dgram.Socket.prototype.bind;
  dgram.Socket.prototype.bind = function bind_(...args) {
    if (!stopped) {
      try {
        const state = stateOf(this);
        const handle = state && state.handle;
        if (handle && !(handle.fd >= 0)) {
          patchHandle(handle);
          handle[kSite] = captureSite(bind_);
        }
      } catch (e) { stop(e); }
    }
    return bind.apply(this, args);
  };
})();
