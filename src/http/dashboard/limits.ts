// The dashboard's upload limit: the multipart parser enforces it, and a refused file names it.
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
