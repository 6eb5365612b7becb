import { describeLoss } from '@lossworks/testing';
import { charbonnierLoss } from './charbonnier-loss.js';
import fixtures from './charbonnier-loss.fixtures.json' with { type: 'json' };

describeLoss('charbonnierLoss', charbonnierLoss, {
  fixtures,
  invalid: [
    [{ eps: 0 }, /'eps' must be > 0/],
    [{ eps: -1 }, /'eps' must be > 0/],
  ],
});
