-- Issue 27: the clusters' passwords are kept encrypted (AES-GCM, "enc:v1:" and base64), longer than the clear ones.
ALTER TABLE cluster ALTER COLUMN app_password SET DATA TYPE VARCHAR(512);
ALTER TABLE cluster ALTER COLUMN superuser_password SET DATA TYPE VARCHAR(512);
