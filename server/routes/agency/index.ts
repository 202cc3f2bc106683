import { Hono } from 'hono';
import type { AppEnv } from '../../env.ts';
import { agencyApprovals } from './approvals.ts';
import { agencyClients } from './clients.ts';
import { agencyDocuments } from './documents.ts';
import { agencyInvoices } from './invoices.ts';
import { agencyProjects } from './projects.ts';
import { agencySettings } from './settings.ts';

/** The agency's management API, mounted at /v1/agency behind its API key. */
export const agencyRoutes = new Hono<AppEnv>()
  .route('/clients', agencyClients)
  .route('/projects', agencyProjects)
  .route('/documents', agencyDocuments)
  .route('/approvals', agencyApprovals)
  .route('/invoices', agencyInvoices)
  .route('/', agencySettings);
