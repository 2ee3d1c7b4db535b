<?php
// SimpleSAMLphp's configuration for the interop tests: everything per run comes from stack.json,
// which the test writes beside this file (ports, folders, the broker's metadata URL).
$stack = json_decode(file_get_contents(__DIR__ . '/stack.json'), true);
$config = [
    'baseurlpath' => $stack['base'] . '/',
    'certdir' => $stack['dir'] . '/cert/',
    'loggingdir' => $stack['dir'] . '/log/',
    'datadir' => $stack['dir'] . '/data/',
    'tempdir' => $stack['dir'] . '/tmp',
    'secretsalt' => $stack['salt'],
    'auth.adminpassword' => $stack['salt'],
    'technicalcontact_name' => 'Interop test',
    'technicalcontact_email' => 'interop@example.invalid',
    'timezone' => 'UTC',
    'admin.protectmetadata' => false,
    'admin.checkforupdates' => false,
    'trusted.url.domains' => ['127.0.0.1', parse_url($stack['base'], PHP_URL_HOST) . ':' . parse_url($stack['base'], PHP_URL_PORT)],
    'showerrors' => true,
    'errorreporting' => false,
    'logging.level' => SimpleSAML\Logger::DEBUG,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'store.type' => 'phpsession',
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.phpsession.savepath' => $stack['dir'] . '/sessions',
    'language.cookie.secure' => false,
    'enable.saml20-idp' => $stack['idp'],
    'module.enable' => ['exampleauth' => $stack['idp'], 'core' => true, 'saml' => true, 'admin' => true],
    // the remote parties' metadata: read from their published XML, nothing typed in by hand
    'metadata.sources' => array_merge(
        [['type' => 'flatfile', 'directory' => __DIR__ . '/metadata']],
        array_map(fn ($url) => ['type' => 'xml', 'url' => $url], $stack['metadata_urls'])
    ),
];
