/** The company whose public catalog a visitor opens by its slug (docs/catalog.md): its plans, its quotes. */
import { Tenant } from '../../models';
import { notFound } from '../../shared/errors';

/** Only an active company has a public catalog; a suspended or unknown one answers 404 alike. */
export async function catalogTenant(slug: string): Promise<Tenant> {
  const tenant = await Tenant.findOne({ where: { slug, status: 'active' } });
  if (!tenant) throw notFound('Catalog');
  return tenant;
}
