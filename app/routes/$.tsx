import { notFound } from "~/lib/form-data.server";

export function loader() {
  throw notFound();
}

export default function NotFound() {
  return null;
}
