import { createContext } from '@lit/context';
import type { PortalResponse } from '../../server/types.ts';
import type { PorchApi, PorchError } from '../api/client.ts';
import type { DeepLink } from './deep-link.ts';

/**
 * What `<porch-portal>` shares with the parts inside it: the first screen's data and how it is
 * going. A new object each time something changes, so consumers re-render.
 */
export interface PortalState {
  status: 'pending' | 'ready' | 'error';
  data?: PortalResponse;
  error?: PorchError;
  /** The item a `#porch/<kind>/<id>` link asked for, opened first. */
  focus: DeepLink | null;
  /** BCP 47 locale for dates and money; undefined means the browser's. */
  locale?: string;
  /** Loads the portal again (the retry of an error state). */
  reload(): void;
  /** Applies a change the client made (a decision, a file opened) to the data every part shows. */
  patch(change: (data: PortalResponse) => PortalResponse): void;
}

// String keys, so a second copy of the bundle on the page still finds the first one's portal.
/** The signed-in API client (it holds the session and renews it). */
export const apiContext = createContext<PorchApi | undefined>('porch-api');
export const portalContext = createContext<PortalState | undefined>('porch-portal');
