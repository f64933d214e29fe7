import 'reflect-metadata';
import { runDemo } from './demo.js';

await runDemo();
