#!/usr/bin/env node
// Validates SBOMs against their published JSON schemas with ajv: CycloneDX 1.5 with the schema
// the npm package @cyclonedx/cyclonedx-library ships (and the SPDX license and JSF schemas it
// references); SPDX 2.3 with the spdx-spec schema when SPDX_SCHEMA names a copy of it, else the
// document's required structure (no npm or Debian package ships the 2.3 schema).
// usage: sbom-validate.js cyclonedx|spdx FILE...   Exit 0 valid, 1 invalid, 2 usage.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const [kind, ...files] = process.argv.slice(2);
if (!['cyclonedx', 'spdx'].includes(kind) || files.length === 0) {
  console.error('usage: sbom-validate.js cyclonedx|spdx FILE...');
  process.exit(2);
}
const ajv = new Ajv({ allErrors: true, schemaId: 'auto', unknownFormats: 'ignore', logger: false });
let validate;
if (kind === 'cyclonedx') {
  const dir = path.join(__dirname, 'node_modules', '@cyclonedx', 'cyclonedx-library', 'res', 'schema');
  const load = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  // bom-1.5 refers to its neighbours by file name relative to its own id
  ajv.addSchema(load('spdx.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json');
  ajv.addSchema(load('jsf-0.82.SNAPSHOT.schema.json'), 'http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json');
  validate = ajv.compile(load('bom-1.5.SNAPSHOT.schema.json'));
} else if (process.env.SPDX_SCHEMA) {
  validate = ajv.compile(JSON.parse(fs.readFileSync(process.env.SPDX_SCHEMA, 'utf8')));
} else {
  const ref = { type: 'string', pattern: '^SPDXRef-[A-Za-z0-9.-]+$' };
  validate = ajv.compile({
    type: 'object',
    required: ['spdxVersion', 'dataLicense', 'SPDXID', 'name', 'documentNamespace', 'creationInfo'],
    properties: {
      spdxVersion: { const: 'SPDX-2.3' },
      dataLicense: { const: 'CC0-1.0' },
      SPDXID: { const: 'SPDXRef-DOCUMENT' },
      documentNamespace: { type: 'string', pattern: '^[a-z]+://[^#]+$' },
      creationInfo: {
        type: 'object', required: ['created', 'creators'],
        properties: {
          created: { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$' },
          creators: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(Tool|Person|Organization): ' } },
        },
      },
      packages: {
        type: 'array',
        items: {
          type: 'object', required: ['SPDXID', 'name', 'downloadLocation'],
          properties: {
            SPDXID: ref,
            filesAnalyzed: { type: 'boolean' },
            externalRefs: {
              type: 'array',
              items: {
                type: 'object', required: ['referenceCategory', 'referenceType', 'referenceLocator'],
                properties: { referenceCategory: { enum: ['SECURITY', 'PACKAGE-MANAGER', 'PERSISTENT-ID', 'OTHER', 'PACKAGE_MANAGER', 'PERSISTENT_ID'] } },
              },
            },
          },
        },
      },
      relationships: {
        type: 'array',
        items: { type: 'object', required: ['spdxElementId', 'relationshipType', 'relatedSpdxElement'] },
      },
    },
  });
}
let bad = 0;
for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON: ${e.message}`);
    bad++;
    continue;
  }
  if (!validate(doc)) {
    for (const err of validate.errors.slice(0, 20))
      console.error(`${file}: ${err.dataPath || '/'} ${err.message} ${JSON.stringify(err.params)}`);
    bad++;
  }
}
process.exit(bad ? 1 : 0);
