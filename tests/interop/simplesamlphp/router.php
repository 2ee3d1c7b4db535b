<?php
// PHP's built-in server: the test application at /app.php, SimpleSAMLphp's www folder for the rest.
if (parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) === '/app.php') {
    require __DIR__ . '/app.php';
    return true;
}
return false;
