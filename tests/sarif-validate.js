#!/usr/bin/env node
// Validates SARIF files against the official SARIF 2.1.0 JSON schema (shipped in the npm package
// @microsoft/jest-sarif) with ajv. Exit 0 when every file is valid, 1 otherwise, 2 on usage.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const schemaPath = path.join(__dirname, 'node_modules', '@microsoft', 'jest-sarif', 'lib',
  'schemas', 'sarif-2.1.0-rtm.5.json');
if (process.argv.length < 3) {
  console.error('usage: sarif-validate.js FILE.sarif...');
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, schemaId: 'auto' });
// The SARIF 2.1.0 schema is written in JSON Schema draft-04.
ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json'));
const validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, 'utf8')));
let bad = 0;
for (const file of process.argv.slice(2)) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON: ${e.message}`);
    bad++;
    continue;
  }
  if (!validate(doc)) {
    for (const err of validate.errors)
      console.error(`${file}: ${err.dataPath || '/'} ${err.message} ${JSON.stringify(err.params)}`);
    bad++;
  } else if (doc.version !== '2.1.0') {
    console.error(`${file}: version is ${doc.version}, expected 2.1.0`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
