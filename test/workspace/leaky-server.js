// The demo server of SockScope (demo/leaky-server.js), run from this workspace's launch.json.
// `npm start` replaces this file with a copy of the demo itself.
require('../../demo/leaky-server.js');
