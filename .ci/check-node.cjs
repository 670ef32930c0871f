// Fails with one line when Node.js is older than package.json's engines.node (">=X.Y[.Z]").
// Plain old JavaScript on purpose: it must parse on the old Node.js versions it turns away.
// Usage: node .ci/check-node.cjs [version]   (default: this Node.js's version)
'use strict';
var path = require('path');
var want = require(path.join(__dirname, '..', 'package.json')).engines.node.replace(/^>=\s*/, '');
var have = process.argv[2] || process.version;
function parts(s) {
  return s.replace(/^v/, '').split('.').map(function (p) { return Number(p) || 0; });
}
var a = parts(have);
var b = parts(want);
for (var i = 0; i < 3; i++) {
  if ((a[i] || 0) > (b[i] || 0)) process.exit(0);
  if ((a[i] || 0) < (b[i] || 0)) {
    console.error('error: Node.js ' + have + ' is older than the required ' + want + ' (package.json engines); install Node.js ' + want + ' or newer');
    process.exit(1);
  }
}
