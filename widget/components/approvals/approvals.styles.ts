import { css } from 'lit';

export const approvalsStyles = css`
  .decide {
    flex: 1 1 100%;
  }
  .review {
    margin-top: 0.5rem;
  }
  .recent {
    margin-top: var(--_gap);
  }
`;
