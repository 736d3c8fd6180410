import { suite } from './suite.ts';

suite(0, 2);
