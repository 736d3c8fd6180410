import { suite } from './suite.ts';

suite(1, 2);
