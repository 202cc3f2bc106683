import { css } from 'lit';

export const approvalsStyles = css`
  .decide {
    flex: 1 1 100%;
  }
  .review {
    margin-top: 0.5rem;
  }
`;
