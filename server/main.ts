// `node server.js --stdio`: the provspec language server.
import { startServer } from './connection.ts';

startServer();
