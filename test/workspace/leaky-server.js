// The demo server of SockScope (demo/leaky-server.js), run from this workspace's launch.json.
// `npm start` replaces this file with a copy of the demo itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain Node script, run by launch.json
require('../../demo/leaky-server.js');
