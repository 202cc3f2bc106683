import { css } from 'lit';

export const invoicesStyles = css`
  .amount {
    font-size: 1.25em;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
`;
