import { notFound } from "~/lib/form-data.server";

export async function loader() {
  throw notFound();
}

export default function NotFound() {
  return null;
}
