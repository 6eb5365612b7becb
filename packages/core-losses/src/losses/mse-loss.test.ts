import { describeLoss } from '@lossworks/testing';
import { mseLoss } from './mse-loss.js';
import fixtures from './mse-loss.fixtures.json' with { type: 'json' };

describeLoss('mseLoss', mseLoss, { fixtures });
