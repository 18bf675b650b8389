import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { otterizeDir } from '../otterize/otterize-dir.js';
import { runMainCommand } from './main-command.js';
import { demoDir } from './internet.js';
import { kafkaDemoYaml, kafkaEdges, kafkaIntents } from './kafka-demo.js';
import { shopEdges, shopFlows, shopIntents, shopUnmappedCalls } from './main-demo.js';

await runMainCommand({
  demoYaml: `${readFileSync(join(demoDir, 'shop.yaml'), 'utf8')}\n---\n${kafkaDemoYaml()}`, edges: [...shopEdges, ...kafkaEdges], intents: [...shopIntents, ...kafkaIntents], timeoutMs: 150_000, otterize: otterizeDir(), flows: shopFlows, unmappedCalls: shopUnmappedCalls, verbose: process.argv.includes('--verbose'),
});
